/**
 * Bearer JWTs (an authentication domain of type `jwt`): the signature is checked against a key given
 * inline (a PEM public key or a base64 HMAC secret), a JWKS file, or a JWKS URL fetched through the
 * egress-checked HTTP client; then the issuer, audience and times (with the configured skew). The
 * subject claim names the caller; the roles claim gives its backend roles, which role mappings turn
 * into roles. Nothing of a token is logged or echoed: a refusal says only that the token is invalid.
 *
 * A JWKS is cached; a token whose `kid` it does not know triggers a fresh fetch (a key rotation at the
 * identity provider), at most one per `refreshMinMs`, so garbage tokens cannot make Vigil hammer the IdP.
 */
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Clock } from '../clock.ts';
import type { HttpClient } from '../net/types.ts';
import type { JwtConfig } from './auth-config.ts';

export interface JwtIdentity {
  name: string;
  backendRoles: string[];
}

export interface JwtDeps {
  clock: Clock;
  /** The egress-checked client for `jwks_uri`; without one a URL cannot be used. */
  http?: HttpClient | undefined;
  /** Least time between two JWKS fetches. Default 30 s. */
  refreshMinMs?: number;
  /** A JWKS older than this is fetched again on its next use. Default 10 minutes. */
  maxAgeMs?: number;
}

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const HMAC = ['HS256', 'HS384', 'HS512'];
const MAX_TOKEN = 16_384;

/** The inline key: PEM text is a public key; anything else is a base64 HMAC secret. */
export function inlineKey(text: string): KeyObject {
  if (text.includes('-----BEGIN')) return createPublicKey(text);
  return createSecretKey(Buffer.from(text, 'base64'));
}

function claim(payload: JWTPayload, path: string): unknown {
  let v: unknown = payload;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v;
}

type KeyGetter = Parameters<typeof jwtVerify>[1];

export class JwtVerifier {
  readonly #c: JwtConfig;
  readonly #d: JwtDeps;
  readonly #key: KeyObject | undefined;
  #jwks: { get: ReturnType<typeof createLocalJWKSet>; at: number } | undefined;
  #lastFetch = -Infinity;
  #fetching: Promise<void> | undefined;

  constructor(c: JwtConfig, d: JwtDeps) {
    this.#c = c;
    this.#d = d;
    this.#key = c.signing_key !== undefined ? inlineKey(c.signing_key) : undefined;
  }

  /** The header the token comes in (lower case). */
  get header(): string {
    return this.#c.jwt_header.toLowerCase();
  }

  /** The caller a valid token names; throws for anything else (the caller answers 401). */
  async verify(token: string): Promise<JwtIdentity> {
    if (token.length > MAX_TOKEN) throw new Error('token too long');
    const algorithms = this.#c.algorithms ?? (this.#key ? (this.#key.type === 'secret' ? HMAC : ASYMMETRIC) : [...ASYMMETRIC, ...HMAC]);
    const options = {
      algorithms,
      clockTolerance: this.#c.jwt_clock_skew_tolerance_seconds,
      currentDate: new Date(this.#d.clock.now()),
      ...(this.#c.required_issuer !== undefined ? { issuer: this.#c.required_issuer } : {}),
      ...(this.#c.required_audience !== undefined ? { audience: this.#c.required_audience } : {}),
    };
    let payload: JWTPayload;
    if (this.#key) payload = (await jwtVerify(token, this.#key, options)).payload;
    else {
      try {
        payload = (await jwtVerify(token, await this.#keys(false), options)).payload;
      } catch (e) {
        if (!(e instanceof errors.JWKSNoMatchingKey)) throw e;
        // Perhaps the identity provider rotated its keys: fetch again (rate-limited) and retry once.
        payload = (await jwtVerify(token, await this.#keys(true), options)).payload;
      }
    }
    const sub = claim(payload, this.#c.subject_key);
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) throw new Error('no subject');
    return { name: sub, backendRoles: this.#roles(payload) };
  }

  #roles(payload: JWTPayload): string[] {
    if (!this.#c.roles_key) return [];
    const v = claim(payload, this.#c.roles_key);
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : [];
    return list.filter((r): r is string => typeof r === 'string').map((r) => r.trim()).filter((r) => r.length > 0 && r.length <= 256).slice(0, 256);
  }

  async #keys(unknownKid: boolean): Promise<KeyGetter> {
    const now = this.#d.clock.monotonic();
    const stale = !this.#jwks || now - this.#jwks.at >= (this.#d.maxAgeMs ?? 600_000);
    if ((stale || unknownKid) && now - this.#lastFetch >= (this.#d.refreshMinMs ?? 30_000)) {
      this.#fetching ??= this.#fetch().finally(() => (this.#fetching = undefined));
      await this.#fetching;
    }
    if (!this.#jwks) throw new Error('no JWKS available');
    return this.#jwks.get as KeyGetter;
  }

  async #fetch(): Promise<void> {
    this.#lastFetch = this.#d.clock.monotonic();
    let text: string;
    if (this.#c.jwks_file !== undefined) text = await readFile(this.#c.jwks_file, 'utf8');
    else {
      if (!this.#d.http) throw new Error('no HTTP client for jwks_uri');
      const res = await this.#d.http.request({ method: 'GET', url: this.#c.jwks_uri!, headers: { accept: 'application/json' }, totalTimeoutMs: 10_000, maxResponseBytes: 1_048_576 });
      if (res.status !== 200 || res.truncated) throw new Error(`JWKS fetch answered ${res.status}`);
      text = res.body;
    }
    // A failed fetch keeps the keys we had: an IdP hiccup must not lock everyone out.
    const jwks = JSON.parse(text) as JSONWebKeySet;
    this.#jwks = { get: createLocalJWKSet(jwks), at: this.#d.clock.monotonic() };
  }
}
