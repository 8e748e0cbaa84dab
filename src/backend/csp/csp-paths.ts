/** CSP's three principal-MFA paths: the one home of these strings (client, simulator, schema text, tests). */

export const CSP_MFA_PATH = '/csp/gateway/iam/vmwid/api/principal/mfa';
export const CSP_MFA_STATUS_PATH = `${CSP_MFA_PATH}/status`;
export const CSP_MFA_AUDIT_PATH = `${CSP_MFA_PATH}/audit`;
