/**
 * The access policy, enforced by graphql-shield: the only module that imports it (it has had no release
 * since 2022, so it stays behind this one small seam).
 */
import { GraphQLError, isObjectType, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddleware } from 'graphql-middleware';
import { allow, deny, rule, shield } from 'graphql-shield';
import { type PrincipalKind } from './token-claims.js';

/** What the policy reads of the request's context. */
interface PolicyContext {
  readonly requestId: string;
  readonly caller: { readonly kind: PrincipalKind } | null;
}

/**
 * User accounts yes, service accounts no (CSP's policy for the MFA paths). Opaque tokens go on to CSP.
 * Not cached: the check is one property read, cheaper than shield's per-request cache entry.
 */
const isNotServiceAccount = rule({ cache: 'no_cache' })(
  (_parent: unknown, _args: unknown, ctx: PolicyContext) => ctx.caller?.kind !== 'service-account',
);

type RuleMap = Record<string, typeof allow | typeof deny | typeof isNotServiceAccount>;

export interface AccessPolicyOptions {
  /**
   * Answer `_service { sdl }`. It is the whole schema, directives included, to anyone who asks, so it
   * follows introspection unless FEDERATION_SDL says otherwise. Defaults to false.
   */
  readonly serviceSdl?: boolean;
  /**
   * The field's answer when a service account is refused, e.g. its union's error member; undefined
   * for a field that has none (then a FORBIDDEN error). Defaults to none.
   */
  readonly serviceAccountRefusal?: (fieldName: string, requestId: string) => unknown;
}

function policyRules(options: AccessPolicyOptions): Record<string, RuleMap> {
  return {
    // Deny by default: a root field added without a rule here is refused, not silently open.
    // `_entities` exists only if we ever add entities.
    Query: {
      '*': deny,
      myMfa: isNotServiceAccount,
      myMfaAuditLog: isNotServiceAccount,
      _service: options.serviceSdl ? allow : deny,
      _entities: allow,
    },
    Mutation: { '*': deny, updateMyMfa: isNotServiceAccount },
  };
}

/** Shield refuses rules for fields a schema lacks, so keep only the types and fields this schema has. */
function policyFor(schema: GraphQLSchema, options: AccessPolicyOptions): Record<string, RuleMap> {
  const policy: Record<string, RuleMap> = {};
  for (const [typeName, rules] of Object.entries(policyRules(options))) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    policy[typeName] = Object.fromEntries(
      Object.entries(rules).filter(([field]) => field === '*' || field in fields),
    );
  }
  return policy;
}

/**
 * A refused service account gets the answer the schema gives it (a union member, as data); anything
 * else refused is a FORBIDDEN error. Shield passes what this returns through as the field's value.
 */
function refusalFor(options: AccessPolicyOptions) {
  return (_err: unknown, _parent: unknown, _args: unknown, ctx: PolicyContext, info: GraphQLResolveInfo) => {
    const answer =
      ctx.caller?.kind === 'service-account'
        ? options.serviceAccountRefusal?.(info.fieldName, ctx.requestId)
        : undefined;
    return answer ?? new GraphQLError('Not authorised.', { extensions: { code: 'FORBIDDEN' } });
  };
}

/** Wraps the schema's root fields in the policy. Leaf fields carry no rule, so they are left unwrapped. */
export function applyAccessPolicy(schema: GraphQLSchema, options: AccessPolicyOptions = {}): GraphQLSchema {
  const policy = policyFor(schema, options);
  const generator = shield(policy, {
    allowExternalErrors: true,
    fallbackRule: allow,
    fallbackError: refusalFor(options) as never,
  });
  const middleware = generator.generate(schema) as Record<string, IMiddleware>;
  const rootOnly = Object.fromEntries(Object.keys(policy).map((name) => [name, middleware[name]]));
  return applyMiddleware(schema, rootOnly as IMiddleware);
}
