import type { Request } from 'express';
import type { AuditContext } from '../audit/audit-service.ts';

export function auditContext(req: Request): AuditContext {
  return { requestId: req.requestId, ip: req.ip ?? null };
}
