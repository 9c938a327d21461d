/**
 * The C program's random numbers and photon noise in AssemblyScript, compiled to WebAssembly by the
 * build (scripts/build-wasm.mjs); rng.ts and noise.ts drive it. Numerical Recipes' `ran1` (minimal
 * standard generator with a Bays-Durham shuffle), the C's Poisson deviate (product of uniforms below
 * a mean of 12, the rejection method up to 1e6, a Gaussian approximation above) and its Gaussian
 * deviate, float32 wherever the C stores a float. The C's static variables are this module's
 * globals: the shuffle table, shared by every seed stream (a stream re-seeding refills the table the
 * others then draw from), the last mean's constants and the spare Gaussian deviate.
 *
 * WebAssembly because the noise image draws several deviates per pixel on the main thread during the
 * render: compiled code from the first pixel, where JavaScript ran its first rows unoptimised. exp,
 * log and tan are AssemblyScript's (musl's algorithms; its exp and log follow the same tables as
 * glibc's: on 2e6 arguments its exp differed from the C's in 0.07% of them, V8's in 9.8%).
 */

const NTAB = 32;
const IA = 16807;
const IM = 2147483647;
const IQ = 127773;
const IR = 2836;
const AM: f64 = 1.0 / 2147483647.0;
/** The C's RNMX, 1 - 1.2e-7, as the float it is compared in. */
const RNMX_F32: f64 = <f64>(<f32>(1.0 - 1.2e-7));

/** noiseRow's exp(-mean) of up to LIMITS pixels at a time. */
const LIMITS = 1024;
const limits: usize = memory.data(LIMITS * 8, 8);
/** The shuffle table, iv[0..NTAB-1]. */
const iv: usize = memory.data(NTAB * 4, 4);
let iy: i32 = 0;
/** The seed stream being drawn from: the C's `long` passed by address, in and out of each call. */
let seed: i32 = 0;
let oldMean: f64 = -1.0;
let sq: f64 = 0;
let alxm: f64 = 0;
let g: f64 = 0;
let haveSpare = false;
let spare: f64 = 0;
let overloads: i32 = 0;

@inline
function f32r(x: f64): f64 {
  return <f64>(<f32>x);
}

/** One step of the minimal standard generator, IA * idum mod IM, by Schrage's method (0 < idum < IM). */
@inline
function schrage(idum: i32): i32 {
  const k = idum / IQ;
  const next = IA * (idum - k * IQ) - IR * k;
  return next < 0 ? next + IM : next;
}

/** A stream's first draw (or a non-positive seed): warm up and refill the shuffle table. */
function reseed(): void {
  let idum = -seed < 1 ? 1 : -seed;
  for (let j = NTAB + 7; j >= 0; j--) {
    idum = schrage(idum);
    if (j < NTAB) store<i32>(iv + ((<usize>j) << 2), idum);
  }
  iy = load<i32>(iv);
  seed = idum;
}

/** One uniform deviate in (0, 1), as float32, from the current stream. */
function uniform(): f64 {
  if (seed <= 0 || iy === 0) reseed();
  const idum = schrage(seed);
  // the table index is the top 5 bits of the 31-bit state
  const slot = iv + ((<usize>(iy >>> 26)) << 2);
  iy = load<i32>(slot);
  store<i32>(slot, idum);
  seed = idum;
  // min(temp, RNMX_F32) is the C's `temp > RNMX ? RNMX : temp` in float: no float lies in (RNMX_F32, RNMX]
  return Math.min(f32r(AM * <f64>iy), RNMX_F32);
}

/** ran1 on the stream whose seed is `stream`; its next seed is then `seedAfter()`. */
export function ran1(stream: i32): f64 {
  seed = stream;
  return uniform();
}

export function seedAfter(): i32 {
  return seed;
}

/** ln Gamma(xx) (Lanczos, as Numerical Recipes' gammln), float32 result. */
export function gammln(xx: f64): f64 {
  const x = f32r(xx);
  let y = x;
  let tmp = x + 5.5;
  tmp -= (x + 0.5) * Math.log(tmp);
  let ser = 1.000000000190015;
  ser += 76.18009172947146 / ++y;
  ser += -86.50532032941677 / ++y;
  ser += 24.01409824083091 / ++y;
  ser += -1.231739572450155 / ++y;
  ser += 0.1208650973866179e-2 / ++y;
  ser += -0.5395239384953e-5 / ++y;
  return f32r(-tmp + Math.log((2.5066282746310005 * ser) / x));
}

/** Gaussian deviate, zero mean and unit variance (polar Box-Muller, one spare kept), on `stream`. */
export function gaussian(stream: i32): f64 {
  seed = stream;
  return gaussianDeviate();
}

function gaussianDeviate(): f64 {
  if (haveSpare) {
    haveSpare = false;
    return spare;
  }
  let v1: f64;
  let v2: f64;
  let rsq: f64;
  do {
    v1 = f32r(2.0 * uniform() - 1.0);
    v2 = f32r(2.0 * uniform() - 1.0);
    rsq = f32r(f32r(v1 * v1) + f32r(v2 * v2));
  } while (rsq >= 1.0 || rsq === 0);
  const fac = f32r(Math.sqrt((-2.0 * Math.log(rsq)) / rsq));
  spare = f32r(v1 * fac);
  haveSpare = true;
  return f32r(v2 * fac);
}

/** Poisson deviate of mean `mean` (a float32 pixel value), as float32, on `stream`. */
export function poisson(mean: f64, stream: i32): f64 {
  seed = stream;
  return poissonDeviate(mean);
}

@inline
function poissonDeviate(mean: f64): f64 {
  const xm = f32r(mean);
  if (xm < 12.0) return smallMean(xm);
  if (xm > 1.0e6) return f32r(xm + Math.sqrt(xm) * gaussianDeviate());
  return rejection(xm);
}

/** Means below 12: count uniform deviates until their product falls below exp(-mean). */
function smallMean(xm: f64): f64 {
  if (xm !== oldMean) {
    oldMean = xm;
    g = f32r(Math.exp(-xm));
  }
  return countAbove(g);
}

/** Uniform deviates drawn while their running product (in float) stays above `limit`, less one. */
@inline
function countAbove(limit: f64): f64 {
  let em: f64 = -1;
  let t: f64 = 1.0;
  do {
    em = f32r(em + 1);
    t = f32r(t * uniform());
  } while (t > limit);
  return em;
}

/** Means from 12 to 1e6: rejection against a Lorentzian (Numerical Recipes' poidev). */
function rejection(xm: f64): f64 {
  if (xm !== oldMean) {
    oldMean = xm;
    sq = f32r(Math.sqrt(2.0 * xm));
    alxm = f32r(Math.log(xm));
    g = f32r(f32r(xm * alxm) - gammln(xm + 1.0));
  }
  let em: f64;
  let t: f64;
  do {
    let y: f64;
    do {
      y = f32r(Math.tan(Math.PI * uniform()));
      em = f32r(f32r(sq * y) + xm);
    } while (em < 0.0);
    em = f32r(Math.floor(em));
    const exponent = f32r(f32r(f32r(em * alxm) - gammln(em + 1.0)) - g);
    t = f32r(0.9 * (1.0 + f32r(y * y)) * Math.exp(exponent));
  } while (uniform() > t);
  return em;
}

/** Where the module's own data ends: noise.ts places its row buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * The noise of `count` pixels on `stream`: for each float32 mean at `means` whose u16 at `mask` is
 * not 0 (no mask when `mask` is 0), Poisson photons plus `adc`, clipped at 65535 (counted in
 * `overloadCount`), truncated to u16 at `out` (0 where masked). Returns the photons drawn.
 */
export function noiseRow(means: usize, mask: usize, out: usize, count: i32, adc: f64, stream: i32): f64 {
  seed = stream;
  let photons: f64 = 0;
  for (let first = 0; first < count; first += LIMITS) {
    const last = min(count, first + LIMITS);
    // exp(-mean) of the small means in a pass of their own, which the processor overlaps, apart from
    // the draws (a serial chain with a mispredicted branch per pixel); the same numbers smallMean
    // caches, so that skipping its cache changes nothing
    for (let i = first; i < last; i++) {
      const xm = <f64>load<f32>(means + ((<usize>i) << 2));
      if (xm < 12.0) store<f64>(limits + ((<usize>(i - first)) << 3), f32r(Math.exp(-xm)));
    }
    for (let i = first; i < last; i++) {
      photons += noisePixel(means, mask, out, i, adc, load<f64>(limits + ((<usize>(i - first)) << 3)));
    }
  }
  return photons;
}

/** Pixel i of noiseRow, where `limit` is exp(-mean) for a mean below 12. */
@inline
function noisePixel(means: usize, mask: usize, out: usize, i: i32, adc: f64, limit: f64): f64 {
  if (mask !== 0 && load<u16>(mask + ((<usize>i) << 1)) === 0) {
    store<u16>(out + ((<usize>i) << 1), 0);
    return 0;
  }
  const xm = <f64>load<f32>(means + ((<usize>i) << 2));
  let v = xm < 12.0 ? countAbove(limit) : poissonDeviate(xm);
  const photons = v;
  v += adc;
  if (v > 65535.0) {
    v = 65535.0;
    overloads++;
  }
  store<u16>(out + ((<usize>i) << 1), <u16>(<i32>v));
  return photons;
}

export function overloadCount(): i32 {
  return overloads;
}
