// An independent VC-JWT verifier for Emblem's Open Badges 3.0 credentials: panva's `jose`
// (npm), as installed by tests/interop/setup.sh into target/interop/vcjs.
//
// stdin: {"jwt": "<compact JWS>", "jwks": {"keys": [...]}}
// stdout (last line): {"verified": true|false, "alg": "...", "kid": "...", "payload": {...},
//                      "errors": ["..."]}
//
// Nothing is fetched: the key comes from `jwks` (the issuer's JWK Set, which the test fetched
// from the app), chosen by the header's `kid` and `alg` as jose's local key set does. jose
// checks the signature and the `nbf` / `exp` claims; credential status is not its business.
import {createRequire} from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.env.EMBLEM_VCJS_DIR, 'package.json'));
const jose = require('jose');

const input = JSON.parse(await new Promise(resolve => {
  let data = '';
  process.stdin.on('data', c => data += c);
  process.stdin.on('end', () => resolve(data));
}));

const answer = {verified: false, errors: []};
try {
  const header = jose.decodeProtectedHeader(input.jwt);
  answer.alg = header.alg;
  answer.kid = header.kid;
  const keys = jose.createLocalJWKSet(input.jwks);
  const {payload} = await jose.jwtVerify(input.jwt, keys,
    {algorithms: ['ES256', 'EdDSA', 'RS256']});
  answer.verified = true;
  answer.payload = payload;
} catch(e) {
  answer.errors.push(`${e.code || e.name}: ${e.message}`);
}
console.log(JSON.stringify(answer));
