#!/usr/bin/env node
// A thin command line over the npm `openbadges-bakery` (Mozilla) for Emblem's interop tests.
//
//   node_bakery.js bake <in-image> <payload-file> <out-image>
//   node_bakery.js unbake <in-image>                  prints the payload, nothing added
//   node_bakery.js time <payload-file> <image> <baked-image>
//       prints "<bake µs> <unbake µs>": an in-process loop (best of 5 repeats of a loop
//       that runs for ~0.2 s), on buffers; start-up is not counted.
//
// How the payload is handed to the library (its options are `url`, `signature`, `assertion`
// and `data`):
// - PNG: `data`, the text as-is (the library writes a string unchanged).
// - SVG, JSON: `assertion`, the parsed object (the library writes JSON.stringify of it as
//   CDATA, so a compact JSON text round-trips unchanged), plus `url` = the assertion `id` when
//   it is an http(s) URL: the library needs a `verify` value and takes it only from `url`,
//   `signature` or a 1.x `verify.url` (mozilla/openbadges-bakery#20).
// - SVG, JWS: `signature`; SVG, anything else (a URL): `url`.
//
// The library is loaded from $EMBLEM_INTEROP_DIR/node (default <repo>/target/interop/node),
// where tests/interop/setup.sh installs it.
'use strict';

const fs = require('fs');
const path = require('path');

const interop = process.env.EMBLEM_INTEROP_DIR || path.join(__dirname, '..', '..', 'target', 'interop');
let bakery;
try {
  bakery = require(path.join(interop, 'node', 'node_modules', 'openbadges-bakery'));
} catch (e) {
  console.error(`node_bakery: openbadges-bakery (npm) is not installed in ${interop}/node (${e.message}); run tests/interop/setup.sh`);
  process.exit(1);
}

// Node 20 workaround (see setup.sh): streampng passes bitwriter objects, which inherit from
// Buffer without being typed arrays, to Buffer.concat; give it their underlying buffer. Real
// typed arrays pass through untouched.
const concat = Buffer.concat;
Buffer.concat = function (list, length) {
  const views = list.map((b) => (ArrayBuffer.isView(b) || !b || !b._buffer ? b : b._buffer));
  return concat.call(Buffer, views, length);
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

function options(image, payload) {
  if (image.subarray(0, 8).equals(PNG_SIGNATURE)) return { image, data: payload };
  const text = payload.trim();
  if (text.startsWith('{')) {
    const assertion = JSON.parse(text);
    const opts = { image, assertion };
    if (typeof assertion.id === 'string' && /^https?:\/\//.test(assertion.id)) opts.url = assertion.id;
    return opts;
  }
  if (JWS.test(text)) return { image, signature: text };
  return { image, url: text };
}

// The library's type check waits for 256 bytes before it decides PNG or SVG, and with a
// smaller buffer it never calls back: Node would exit 0 with nothing done. Say so instead.
let answered = false;
process.on('exit', (code) => {
  if (code === 0 && !answered) {
    console.error('node_bakery: the library never called back (its type check needs an image of at least 256 bytes)');
    process.exitCode = 1;
  }
});

function bake(image, payload) {
  return new Promise((resolve, reject) => {
    bakery.bake(options(image, payload), (err, out) => (err ? reject(err) : resolve(out)));
  });
}

function extract(image) {
  return new Promise((resolve, reject) => {
    bakery.extract(image, (err, data) => (err ? reject(err) : resolve(data)));
  });
}

async function bestUs(fn) {
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < 200_000_000n) {
      await fn();
      n++;
      elapsed = process.hrtime.bigint() - start;
    }
    best = Math.min(best, Number(elapsed) / n / 1000);
  }
  return best;
}

async function main(argv) {
  if (argv.length === 4 && argv[0] === 'bake') {
    const out = await bake(fs.readFileSync(argv[1]), fs.readFileSync(argv[2], 'utf8'));
    fs.writeFileSync(argv[3], out);
    answered = true;
  } else if (argv.length === 2 && argv[0] === 'unbake') {
    const data = await extract(fs.readFileSync(argv[1]));
    process.stdout.write(Buffer.from(String(data), 'utf8'));
    answered = true;
  } else if (argv.length === 4 && argv[0] === 'time') {
    const payload = fs.readFileSync(argv[1], 'utf8');
    const image = fs.readFileSync(argv[2]);
    const baked = fs.readFileSync(argv[3]);
    const bakeUs = await bestUs(() => bake(image, payload));
    const unbakeUs = await bestUs(() => extract(baked));
    console.log(`${bakeUs.toFixed(1)} ${unbakeUs.toFixed(1)}`);
    answered = true;
  } else {
    console.error('usage: node_bakery.js bake <in-image> <payload-file> <out-image> | unbake <in-image> | time <payload-file> <image> <baked-image>');
    process.exit(2);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`node_bakery: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
