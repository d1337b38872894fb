// CAS 2020-06-30 private-CA client certificate operations (§10). Business error codes are not
// documented (§10.9, §12 item 16); the sim's choices:
// - unknown Identifier: 404 `NotFound`;
// - deleting a certificate that is not REVOKE: 400 `IncorrectStatus`;
// - revoking a certificate that is already REVOKE: success, nothing changes (RevokeTime kept).
import { Err } from './errors.js';
import { CAS_VERSION, opt, optInt, page } from './ops.js';
import type { OpContext, Operation } from './ops.js';
import { RESOURCE_GROUP_ID } from './state.js';
import type { CasCertRec, SimState } from './state.js';

const casOp = (action: string, required: string[], handle: (ctx: OpContext) => Record<string, unknown>): Operation => ({
  action,
  version: CAS_VERSION,
  product: 'cas',
  required,
  idempotent: false,
  regional: false,
  rateLimited: true,
  handle,
});

function find(state: SimState, identifier: string | undefined): CasCertRec {
  const cert = state.cas.get(identifier ?? '');
  if (!cert) throw Err.casNotFound();
  return cert;
}

function certJson(c: CasCertRec): Record<string, unknown> {
  const days = Math.round((c.afterDate - c.beforeDate) / (24 * 3600 * 1000));
  return {
    Id: c.id,
    Identifier: c.identifier,
    CustomIdentifier: '',
    ParentIdentifier: c.parentIdentifier,
    ResourceGroupId: RESOURCE_GROUP_ID,
    AliasName: c.commonName,
    CommonName: c.commonName,
    SubjectDN: `C=CN,O=Sim Corp,OU=IT,L=Hangzhou,ST=Zhejiang,CN=${c.commonName}`,
    CountryCode: 'CN',
    Organization: 'Sim Corp',
    OrganizationUnit: 'IT',
    Locality: 'Hangzhou',
    State: 'Zhejiang',
    Sans: '[]',
    Algorithm: 'RSA',
    KeySize: 2048,
    SignAlgorithm: 'SHA256WITHRSA',
    BeforeDate: c.beforeDate,
    AfterDate: c.afterDate,
    Days: days,
    Status: c.status,
    CertificateType: c.certificateType,
    SerialNumber: c.serialNumber,
    Md5: c.md5,
    Sha2: c.sha2,
    X509Certificate: c.x509,
  };
}

function createRevokeClientCertificate({ params, state, now }: OpContext): Record<string, unknown> {
  const cert = find(state, params.Identifier);
  if (cert.status !== 'REVOKE') {
    cert.status = 'REVOKE';
    cert.revokeTime = now;
  }
  return {};
}

function listClientCertificate({ params, state }: OpContext): Record<string, unknown> {
  const currentPage = optInt(params, 'CurrentPage', 1, 1_000_000) ?? 1;
  const showSize = optInt(params, 'ShowSize', 1, 1000) ?? 20;
  const byId = opt(params, 'Identifier');
  const byGroup = opt(params, 'ResourceGroupId');
  const all = [...state.cas.values()].filter((c) => (!byId || c.identifier === byId) && (!byGroup || byGroup === RESOURCE_GROUP_ID));
  return {
    CurrentPage: currentPage,
    ShowSize: showSize,
    PageCount: Math.ceil(all.length / showSize),
    TotalCount: all.length,
    CertificateList: page(all, currentPage, showSize).map(certJson), // a bare array in this API (§3.1)
  };
}

function describeClientCertificate({ params, state }: OpContext): Record<string, unknown> {
  const cert = find(state, params.Identifier);
  return {
    Certificate: {
      ...certJson(cert),
      CertChain: `${cert.x509}\n${cert.x509}`,
      FullAlgorithm: 'RSA_2048',
      UploadFlag: 0,
      Tags: [],
    },
  };
}

function deleteClientCertificate({ params, state }: OpContext): Record<string, unknown> {
  const cert = find(state, params.Identifier);
  if (cert.status !== 'REVOKE') throw Err.casIncorrectStatus(); // only revoked certificates may be deleted (§10.2)
  state.cas.delete(cert.identifier);
  return {};
}

/** Identifier is a comma-separated list; an unknown one reports Status 'unknown' rather than an error. */
function describeClientCertificateStatus({ params, state }: OpContext): Record<string, unknown> {
  const ids = (params.Identifier ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    CertificateStatus: ids.map((id) => {
      const c = state.cas.get(id);
      if (!c) return { SerialNumber: '', Status: 'unknown' };
      return c.status === 'REVOKE' ? { SerialNumber: c.serialNumber, Status: 'revoked', RevokeTime: c.revokeTime } : { SerialNumber: c.serialNumber, Status: 'good' };
    }),
  };
}

export const casOperations: Operation[] = [
  casOp('CreateRevokeClientCertificate', ['Identifier'], createRevokeClientCertificate),
  casOp('ListClientCertificate', [], listClientCertificate),
  casOp('DescribeClientCertificate', ['Identifier'], describeClientCertificate),
  casOp('DeleteClientCertificate', ['Identifier'], deleteClientCertificate),
  casOp('DescribeClientCertificateStatus', ['Identifier'], describeClientCertificateStatus),
];
