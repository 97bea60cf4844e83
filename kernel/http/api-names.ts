/**
 * Names of the public HTTP API that the platform, its services and its clients share:
 * headers and path prefixes. Clients import them from here, never from the code that
 * answers them.
 */

/** The platform's token, or an IAM token (POST /v3/auth/tokens). */
export const TOKEN_HEADER = 'x-auth-token';

/** A service's own app code, as ModelArts' API gateway takes it. */
export const APP_CODE_HEADER = 'x-apig-appcode';

/**
 * The key the gateway adds to what it relays to a service's instances: an instance whose own
 * port listens beyond loopback serves nobody else without credentials (services/access/).
 */
export const INSTANCE_KEY_HEADER = 'x-modelarts-instance-key';

/** Predictions through the control plane: `/v1/infers/<service_id>/…`. */
export const GATEWAY_PREFIX = '/v1/infers/';

/** TF Serving's REST API: `/v1/models/<service name>…`, on the control plane and on each service. */
export const TF_SERVING_PREFIX = '/v1/models/';
