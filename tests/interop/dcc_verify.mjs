// The Digital Credentials Consortium's verifier (npm @digitalcredentials/verifier-core, the
// library behind DCC's Learner Credential Wallet and VerifierPlus) on one credential, as
// installed by tests/interop/setup.sh into target/interop/vcjs.
//
// stdin: the credential (JSON). stdout (last line): verifier-core's answer without the
// credential echoed back: {"log": [{"id": "valid_signature", "valid": …}, …], "errors"?: […]}.
// With EMBLEM_VC_REPEAT=N (the benchmark): N more verifications after the first, in this
// process; the answer adds {"repeat": N, "per_second": …}.
//
// verifier-core fetches what it does not bundle over HTTP itself: here the issuer's key and
// Profile from the app under test. Two W3C contexts it does not bundle (security/v2, which
// jsonld-signatures frames controller documents with, and multikey/v1) it would fetch from
// w3id.org; this machine is offline, so fetch answers those two from the npm packages that
// publish them. Every other request goes out unchanged. verifier-core's JSON Schema check
// fetches the schema from purl.imsglobal.org and, offline, reports that it could not; that
// check is advisory in verifier-core and is not part of the signature verdict.
import path from 'node:path';
import {createRequire} from 'node:module';

const dir = process.env.EMBLEM_VCJS_DIR;
const require = createRequire(path.join(dir, 'package.json'));
const offline = new Map();
for(const pkg of ['@digitalbazaar/multikey-context', 'security-context']) {
  for(const [url, doc] of require(pkg).contexts) {
    offline.set(url, doc);
  }
}
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url;
  if(offline.has(url)) {
    return new Response(JSON.stringify(offline.get(url)),
      {status: 200, headers: {'content-type': 'application/ld+json'}});
  }
  return realFetch(input, init);
};
// Schema-fetch failures are printed by verifier-core on stderr; stdout stays the answer.
console.error = () => {};

const input = await new Promise(resolve => {
  let data = '';
  process.stdin.on('data', c => data += c);
  process.stdin.on('end', () => resolve(data));
});
const core = path.join(dir, 'node_modules/@digitalcredentials/verifier-core/dist/index.js');
const {verifyCredential} = await import(core);
const credential = JSON.parse(input);
const result = await verifyCredential({credential, knownDIDRegistries: []});
delete result.credential;
const repeat = Number(process.env.EMBLEM_VC_REPEAT || 0);
if(repeat > 0) {
  const started = process.hrtime.bigint();
  for(let i = 0; i < repeat; i++) {
    await verifyCredential({credential, knownDIDRegistries: []});
  }
  result.repeat = repeat;
  result.per_second = repeat / (Number(process.hrtime.bigint() - started) / 1e9);
}
for(const e of result.errors || []) {
  delete e.stackTrace;
}
console.log(JSON.stringify(result));
