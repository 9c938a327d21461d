/**
 * C printf formatting (glibc semantics) for the conversions nanoBragg prints: %d %i %u %ld %lu
 * %f %e %g (and %lg) %s %c %%, with flags, width and precision. Output that users diff against the
 * C program's must round the same way, so ties are broken half-to-even on the exact binary value
 * (JavaScript's toExponential/toFixed break them upwards).
 */

const SPEC = /%([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|L|z|j|t)?([diufFeEgGsc%])/g;

/** Digits of |x| rounded to `sig` significant digits, with the decimal exponent of the first digit. */
function roundSignificant(x: number, sig: number): { digits: string; exp: number } {
  const fast = x.toExponential(sig - 1);
  const [mant, expText] = fast.split("e");
  let digits = mant.replace(".", "");
  let exp = Number(expText);
  const exact = x.toExponential(Math.min(100, sig + 40));
  const exactDigits = exact.split("e")[0].replace(".", "");
  const exactExp = Number(exact.split("e")[1]);
  if (exactExp === exp || exactExp === exp - 1) {
    // A tie exists only if the exact expansion is ...d5000... at position `sig`.
    const shift = exp - exactExp; // 1 when toExponential rounded up into a new decade
    const tail = exactDigits.slice(sig - shift);
    if (/^50*$/.test(tail)) {
      const kept = exactDigits.slice(0, sig - shift);
      const lastEven = Number(kept[kept.length - 1]) % 2 === 0;
      if (lastEven) {
        digits = kept.padEnd(sig, "0");
        exp = exactExp;
      }
    }
  }
  return { digits, exp };
}

function fixedDigits(x: number, precision: number): string {
  const fast = x.toFixed(precision);
  if (x >= 1e21) return BigInt(Math.round(x)).toString() + (precision > 0 ? `.${"0".repeat(precision)}` : "");
  const exact = x.toFixed(Math.min(100, precision + 40));
  const dot = exact.indexOf(".");
  const tail = exact.slice(dot + 1 + precision);
  if (/^50*$/.test(tail)) {
    const kept = exact.slice(0, precision > 0 ? dot + 1 + precision : dot);
    const lastDigit = Number(kept[kept.length - 1]);
    if (lastDigit % 2 === 0) return kept;
  }
  return fast;
}

function nonFinite(x: number, upper: boolean): string {
  let text: string;
  if (Number.isNaN(x)) {
    const bits = new DataView(new ArrayBuffer(8));
    bits.setFloat64(0, x);
    text = bits.getUint8(0) & 0x80 ? "-nan" : "nan";
  } else {
    text = x < 0 ? "-inf" : "inf";
  }
  return upper ? text.toUpperCase() : text;
}

function exponentText(exp: number): string {
  const sign = exp < 0 ? "-" : "+";
  const magnitude = Math.abs(exp);
  return `${sign}${magnitude < 10 ? "0" : ""}${magnitude}`;
}

function formatE(x: number, precision: number, alt: boolean, upper: boolean): string {
  if (x === 0) {
    const zeros = precision > 0 ? `.${"0".repeat(precision)}` : alt ? "." : "";
    return `0${zeros}${upper ? "E" : "e"}+00`;
  }
  const { digits, exp } = roundSignificant(x, precision + 1);
  const frac = digits.slice(1);
  const body = precision > 0 || alt ? `${digits[0]}.${frac}` : digits[0];
  return `${body}${upper ? "E" : "e"}${exponentText(exp)}`;
}

function formatG(x: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  let exp = 0;
  if (x !== 0) exp = roundSignificant(x, p).exp;
  let text: string;
  if (p > exp && exp >= -4) {
    text = fixedDigits(x, p - 1 - exp);
  } else {
    text = formatE(x, p - 1, alt, upper);
  }
  if (!alt) {
    const ePos = text.search(/[eE]/);
    let mant = ePos >= 0 ? text.slice(0, ePos) : text;
    const tail = ePos >= 0 ? text.slice(ePos) : "";
    if (mant.includes(".")) mant = mant.replace(/0+$/, "").replace(/\.$/, "");
    text = mant + tail;
  }
  return text;
}

function formatNumber(conv: string, value: number, flags: string, precision: number | undefined): string {
  const upper = conv === "E" || conv === "G" || conv === "F";
  const alt = flags.includes("#");
  if (!Number.isFinite(value)) return nonFinite(value, upper);
  const negative = value < 0 || Object.is(value, -0);
  const x = Math.abs(value);
  let body: string;
  switch (conv) {
    case "f":
    case "F":
      body = fixedDigits(x, precision ?? 6);
      if (alt && !body.includes(".")) body += ".";
      break;
    case "e":
    case "E":
      body = formatE(x, precision ?? 6, alt, upper);
      break;
    default:
      body = formatG(x, precision ?? 6, alt, upper);
  }
  const sign = negative ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  return sign + body;
}

function formatInteger(value: number | bigint, flags: string, precision: number | undefined): string {
  const n = typeof value === "bigint" ? value : BigInt(Math.trunc(value));
  const negative = n < 0n;
  let digits = (negative ? -n : n).toString();
  if (precision !== undefined) digits = precision === 0 && n === 0n ? "" : digits.padStart(precision, "0");
  const sign = negative ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  return sign + digits;
}

function pad(text: string, width: number, flags: string, numeric: boolean): string {
  if (text.length >= width) return text;
  if (flags.includes("-")) return text.padEnd(width, " ");
  if (numeric && flags.includes("0") && !/[a-z]/i.test(text.replace(/[eE][+-]\d+$/, ""))) {
    const signMatch = /^[-+ ]/.exec(text);
    const sign = signMatch ? signMatch[0] : "";
    return sign + text.slice(sign.length).padStart(width - sign.length, "0");
  }
  return text.padStart(width, " ");
}

/** `sprintf` with C semantics for the supported conversions. */
export function cprintf(format: string, ...args: Array<number | string | bigint>): string {
  let next = 0;
  return format.replace(
    SPEC,
    (_m, flags: string, widthText?: string, precText?: string, _len?: string, conv?: string) => {
      if (conv === "%") return "%";
      const width = widthText === "*" ? Number(args[next++]) : widthText ? Number(widthText) : 0;
      let precision: number | undefined;
      if (precText !== undefined)
        precision = precText === "*" ? Number(args[next++]) : Number(precText || "0");
      const arg = args[next++];
      switch (conv) {
        case "s": {
          const text = String(arg);
          return pad(precision !== undefined ? text.slice(0, precision) : text, width, flags, false);
        }
        case "c":
          return pad(typeof arg === "number" ? String.fromCharCode(arg) : String(arg), width, flags, false);
        case "d":
        case "i":
        case "u":
          return pad(
            formatInteger(arg as number | bigint, flags, precision),
            width,
            flags,
            precision === undefined,
          );
        default:
          return pad(formatNumber(conv as string, Number(arg), flags, precision), width, flags, true);
      }
    },
  );
}

/** `%g` with the given precision (6 when omitted). */
export function g(x: number, precision = 6): string {
  return formatNumber("g", x, "", precision);
}

/** `%.15g`, the format of every number in a pixel trace. */
export function g15(x: number): string {
  return formatNumber("g", x, "", 15);
}
