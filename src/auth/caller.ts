/**
 * Who calls: established once per request from the token, and carried in every backend call, so no
 * layer decodes the token again. Nothing here is verified; `kind` only tells a user from a service
 * account, and the keys are hashes, so no raw token (or claim) is ever stored or logged through them.
 * Who controls each key is written down in docs/security.md.
 */
import { hash } from 'node:crypto';
import { canonicalToken } from './canonical-token.js';
import {
  classifyToken,
  type PrincipalKind,
  type ServiceAccountRule,
  type TokenClaims,
} from './token-claims.js';

export interface Caller {
  /** The token as the client sent it; forwarded upstream, never logged. */
  readonly token: string;
  readonly kind: PrincipalKind;
  /** Null for opaque tokens. */
  readonly claims: TokenClaims | null;
  /** Whose wrong passwords count: `sub`, else `username`, else the canonical token. */
  readonly principalKey: string;
  /** One token however its signature is spelled. */
  readonly tokenKey: string;
}

// One-shot hashing: about half the cost of createHash().update().digest() for a short string.
const sha256 = (text: string) => hash('sha256', text, 'base64url');

export function identifyCaller(token: string, rule: ServiceAccountRule): Caller {
  const { kind, claims } = classifyToken(token, rule);
  const canonical = canonicalToken(token);
  const subject = claims?.sub
    ? `sub:${claims.sub}`
    : claims?.username
      ? `username:${claims.username}`
      : undefined;
  return {
    token,
    kind,
    claims,
    principalKey: sha256(subject ?? `token:${canonical}`),
    tokenKey: sha256(`token:${canonical}`),
  };
}
