/**
 * The provider process's TLS identity for go-plugin's mutual TLS: a fresh EC
 * P-256 key and a self-signed X.509 certificate (CN and SAN `localhost`, valid
 * from a minute ago for a day), made per process and never written to disk.
 * Node's crypto makes keys and signatures but has no certificate builder; the
 * certificate is a few fixed DER structures, encoded here (see RFC 5280 §4.1).
 * Terraform adds the certificate to its trust roots from the handshake line.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

/** The key pair and certificate, PEM and DER. */
export interface SelfSignedCertificate {
  /** PKCS#8 PEM of the private key. */
  readonly keyPem: string;
  /** PEM of the certificate. */
  readonly certPem: string;
  /** DER of the certificate (what the handshake line carries, base64). */
  readonly certDer: Buffer;
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else if (n < 0x100) length = Buffer.from([0x81, n]);
  else length = Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0x00]));

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    for (let v = part >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-12-03T07:54:33.000Z
  const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + "Z";
  return tlv(0x17, Buffer.from(text, "ascii"));
}

/** A positive serial: 16 random bytes, top bit cleared and the next set so the DER is minimal. */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return tlv(0x02, bytes);
}

const ECDSA_WITH_SHA256 = seq(oid("1.2.840.10045.4.3.2"));
const NAME = seq(set(seq(oid("2.5.4.10"), utf8("upstack"))), set(seq(oid("2.5.4.3"), utf8("localhost"))));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/**
 * Makes a fresh key pair and a self-signed certificate for `localhost`,
 * usable as both TLS server and client certificate (what go-plugin expects).
 * @param now - the issuing time (tests pass a fixed one).
 */
export function createSelfSignedCertificate(now: Date = new Date()): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + 24 * 3600_000);
  const extensions = seq(
    // keyUsage: digitalSignature, keyEncipherment, keyAgreement, keyCertSign (bits 0, 2, 4, 5).
    extension("2.5.29.15", true, Buffer.from([0x03, 0x02, 0x02, 0xac])),
    // extKeyUsage: serverAuth, clientAuth.
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
    // basicConstraints: CA (the certificate is its own trust root).
    extension("2.5.29.19", true, seq(bool(true))),
    // subjectAltName: DNS:localhost.
    extension("2.5.29.17", false, seq(tlv(0x82, Buffer.from("localhost", "ascii")))),
  );
  const tbs = seq(
    explicit(0, tlv(0x02, Buffer.from([2]))),
    serialNumber(),
    ECDSA_WITH_SHA256,
    NAME,
    seq(utcTime(notBefore), utcTime(notAfter)),
    NAME,
    spki,
    explicit(3, extensions),
  );
  const signature = sign("sha256", tbs, privateKey as KeyObject);
  const certDer = seq(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const certPem = `-----BEGIN CERTIFICATE-----\n${certDer
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { keyPem, certPem, certDer };
}
