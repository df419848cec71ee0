/**
 * The provider's one error hierarchy. Every error the provider raises is a
 * {@link UpstackKlaviyoError} with a stable {@link ErrorCode}; the catalogue
 * {@link ERROR_CATALOGUE} gives each code its cause and fix, and the README's
 * error table is tested against it. Messages are redacted at construction.
 */
import { redact, redactValue } from "./redact";

/** Stable, documented error codes. */
export type ErrorCode =
  | "config_missing_credentials"
  | "config_invalid"
  | "input_invalid"
  | "klaviyo_key_invalid"
  | "klaviyo_key_missing_scope"
  | "klaviyo_key_not_full_access"
  | "klaviyo_account_mismatch"
  | "klaviyo_inconclusive"
  | "klaviyo_request_rejected"
  | "klaviyo_endpoint_gone"
  | "klaviyo_unexpected_response"
  | "upstack_unauthorized"
  | "upstack_missing_scope"
  | "upstack_owned_by_other"
  | "upstack_changed_outside_pulumi"
  | "upstack_rejected"
  | "upstack_destination_unhealthy"
  | "http_error"
  | "http_timeout"
  | "http_connection"
  | "http_insecure_url"
  | "http_redirect";

/** What a code means and what to do about it. */
export interface ErrorCatalogueEntry {
  /** When this error is raised. */
  readonly cause: string;
  /** What the user should do. */
  readonly fix: string;
}

/** Every error code with its cause and fix. */
export const ERROR_CATALOGUE: Readonly<Record<ErrorCode, ErrorCatalogueEntry>> = {
  config_missing_credentials: {
    cause: "No Upstack API key was found for the destination's pixel.",
    fix: "Set the stack config (`pulumi config set --secret upstack:apiKey upstack_...`, or `upstack:apiKeys` for many pixels) or the environment (UPSTACK_API_KEY, UPSTACK_API_KEYS), or pass upstackApiKey on the resource.",
  },
  config_invalid: {
    cause:
      "A provider setting is malformed: a base URL (upstack:apiUrl, upstack:klaviyoApiUrl, UPSTACK_API_URL, KLAVIYO_API_URL) that is not a URL, has a path or does not answer like the service, upstack:apiKeys, or an UPSTACK_KLAVIYO_*_MS value.",
    fix: "Correct the value named in the message.",
  },
  input_invalid: {
    cause: "A resource input is missing (a pixelId with no default pixel configured, the key, the owner) or failed validation.",
    fix: "Correct the property named in the message.",
  },
  klaviyo_key_invalid: {
    cause:
      "Klaviyo rejected the private key (HTTP 401, or a JSON 400 about neither a parameter nor the revision), or its key listing shows the key disabled: it is mistyped, disabled, revoked or deleted.",
    fix: "Create a new Full Access private key in Klaviyo (Settings → Account → API Keys) and set it with `pulumi config set --secret klaviyoPrivateKey pk_...`.",
  },
  klaviyo_key_missing_scope: {
    cause: "Klaviyo answered 403: the key is valid but lacks a scope the destination needs.",
    fix: "Klaviyo scopes cannot be edited: create a new key with Full Access (or with the named scopes) and rotate to it.",
  },
  klaviyo_key_not_full_access: {
    cause:
      "The key is valid but is not a Full Access key (it does not hold every scope of Klaviyo's scope list; the message names its access level and the missing scopes), which Upstack Data requires by default.",
    fix: "Create a Full Access key named UpstackData, or declare the scopes you rely on with the `scopes` input.",
  },
  klaviyo_account_mismatch: {
    cause: "The key belongs to a different Klaviyo account than publicApiKey names.",
    fix: "Use a key created in the account whose Site ID is publicApiKey, or correct publicApiKey.",
  },
  klaviyo_request_rejected: {
    cause:
      'Klaviyo answered a request of the provider with a 400 naming a query parameter or the revision header (or a 404 "No valid revisions found"): the request is wrong, the key was not judged.',
    fix: "Running again will not help. Update pulumi-upstack-klaviyo; if it persists, report the message (it names the parameter and never holds the key).",
  },
  klaviyo_endpoint_gone: {
    cause:
      "Klaviyo answered 404/410 for an endpoint the provider calls: for the beta key listing (GET /api/api-keys), Klaviyo changed or withdrew it; for the others, KLAVIYO_API_URL is likely wrong.",
    fix: "Declare the scopes you rely on with `scopes` (read scopes are then checked by read-only requests), or update pulumi-upstack-klaviyo; check KLAVIYO_API_URL. Running again will not help.",
  },
  klaviyo_unexpected_response: {
    cause:
      "A Klaviyo answer does not fit Klaviyo's published API (spec/klaviyo): a member the provider relies on is missing or of another type, or links.next leads elsewhere. The key was not judged and nothing was written.",
    fix: "Update pulumi-upstack-klaviyo; if it persists, report the message (it names the endpoint and the member, never the key).",
  },
  klaviyo_inconclusive: {
    cause: "Klaviyo could not be asked (network failure, a CDN challenge, rate limiting or an outage beyond the deadline).",
    fix: "Run again; if it persists, check Klaviyo's status page and KLAVIYO_API_URL. Raise UPSTACK_KLAVIYO_DEADLINE_MS if you are rate limited.",
  },
  upstack_unauthorized: {
    cause: "Upstack answered 401: the API key is missing, invalid, revoked or expired, or is not scoped to this pixel.",
    fix: "Create an Upstack API key for this pixel and set it (`pulumi config set --secret upstack:apiKey upstack_...` or UPSTACK_API_KEY, or upstack:apiKeys for many pixels).",
  },
  upstack_missing_scope: {
    cause: "Upstack answered 403: the API key lacks destinations:read or destinations:write.",
    fix: "Create an Upstack API key with the destinations:read and destinations:write scopes.",
  },
  upstack_owned_by_other: {
    cause: "The pixel already has a Klaviyo destination that this resource does not manage (made in the dashboard or by another stack).",
    fix: "Set `adopt: true` on the resource to take it over, or remove the other destination first.",
  },
  upstack_changed_outside_pulumi: {
    cause: "The destination was changed outside Pulumi since it was last read (the ETag no longer matches), so an update or a destroy was refused.",
    fix: "Run `pulumi refresh` to see the change, then `pulumi up` to apply your configuration over it (or destroy again).",
  },
  upstack_rejected: {
    cause: "Upstack refused the request (HTTP 400 or 422).",
    fix: "Read the reasons in the message; they name the field.",
  },
  upstack_destination_unhealthy: {
    cause: "Upstack registered the destination but reports it unhealthy (Klaviyo refuses the key it holds); the destination is kept in state.",
    fix: "Check the key in Klaviyo (enabled, Full Access), then run `pulumi up` again; it is updated in place.",
  },
  http_error: {
    cause: "A service answered with an unexpected HTTP status, after retries where they apply.",
    fix: "Run again; if it persists, check the service's status and the base URL.",
  },
  http_timeout: {
    cause: "A request did not complete within its attempt timeout and the operation's deadline ran out.",
    fix: "Run again; raise UPSTACK_KLAVIYO_TIMEOUT_MS / UPSTACK_KLAVIYO_DEADLINE_MS on slow networks.",
  },
  http_connection: {
    cause: "The connection failed (refused, reset, DNS) on every attempt.",
    fix: "Check the base URL and network access to the service.",
  },
  http_insecure_url: {
    cause: "A base URL uses plain http:// for a host that is not loopback.",
    fix: "Use https://, or http:// only for 127.0.0.1 / localhost / [::1] (the emulator).",
  },
  http_redirect: {
    cause: "A service answered with a redirect; credentials are never forwarded across one.",
    fix: "Point the base URL at the final address.",
  },
};

/** The base of every error the provider raises. */
export class UpstackKlaviyoError extends Error {
  /** Marks instances across copies of this library (see {@link UpstackKlaviyoError.isInstance}). */
  public readonly __upstackKlaviyoError = true;
  /** The stable code; see {@link ERROR_CATALOGUE}. */
  public readonly code: ErrorCode;
  /** The input property the error is about, when there is one. */
  public readonly property: string | undefined;

  /**
   * @param code - the stable code.
   * @param message - what happened and what to do; redacted here.
   * @param options - the property concerned and the underlying cause.
   */
  constructor(code: ErrorCode, message: string, options: { property?: string; cause?: unknown } = {}) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.property = options.property;
  }

  /** True for an error of this hierarchy, even from another copy of the library. */
  static isInstance(value: unknown): value is UpstackKlaviyoError {
    return typeof value === "object" && value !== null && (value as { __upstackKlaviyoError?: unknown }).__upstackKlaviyoError === true;
  }
}

/** Configuration is missing or malformed. */
export class ConfigError extends UpstackKlaviyoError {}

/** A resource input is invalid; {@link UpstackKlaviyoError.property} names it. */
export class InputError extends UpstackKlaviyoError {
  /** @param property - the input; @param reason - what is wrong and how to fix it. */
  constructor(property: string, reason: string) {
    super("input_invalid", reason, { property });
  }
}

/** Klaviyo refused the key or its access, or could not be asked. */
export class KlaviyoKeyError extends UpstackKlaviyoError {}

/** Upstack refused a request in a way the user must act on. */
export class UpstackApiError extends UpstackKlaviyoError {
  /** The HTTP status Upstack answered with. */
  public readonly status: number;
  /** @param code - the error code; @param status - HTTP status; @param message - what to do. */
  constructor(code: ErrorCode, status: number, message: string, options: { property?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.status = status;
  }
}

/** A request failed at the HTTP level (status, timeout, connection, policy). */
export class HttpError extends UpstackKlaviyoError {
  /** The service that was called (`klaviyo` or `upstack`). */
  public readonly service: string;
  /** HTTP status, when a response arrived. */
  public readonly status: number | undefined;
  /** The parsed response body, redacted, when a response arrived (never a request body). */
  public readonly body: unknown;
  /** Response headers, when a response arrived. */
  public readonly headers: Readonly<Record<string, string>>;
  /** How many attempts were made. */
  public readonly attempts: number;

  /** @param init - what is known about the failed request. */
  constructor(init: {
    code: ErrorCode;
    service: string;
    message: string;
    status?: number;
    body?: unknown;
    headers?: Record<string, string>;
    attempts: number;
    cause?: unknown;
  }) {
    super(init.code, init.message, init.cause === undefined ? {} : { cause: init.cause });
    this.service = init.service;
    this.status = init.status;
    this.body = redactValue(init.body);
    this.headers = redactValue(init.headers ?? {});
    this.attempts = init.attempts;
  }
}

/**
 * The error a create throws when the destination exists on Upstack but the
 * create could not finish: the Pulumi host reports it to the engine as a
 * partial create (`id`, `properties`, `reasons`), so state keeps track of it.
 */
export class PartialCreateError extends UpstackKlaviyoError {
  /** The destination id that exists remotely. */
  public readonly id: string;
  /** The outputs known so far. */
  public readonly properties: Record<string, unknown>;
  /** Why the create is incomplete. */
  public readonly reasons: string[];
  /** @param code - why; @param id - remote id; @param properties - outputs; @param reason - what failed. */
  constructor(code: ErrorCode, id: string, properties: Record<string, unknown>, reason: string, cause?: unknown) {
    super(code, reason, cause === undefined ? {} : { cause });
    this.id = id;
    this.properties = properties;
    this.reasons = [this.message];
  }
}
