<?php
// Endpoint configuration: the defaults below, each overridable by the environment variable
// named beside it (see docs/endpoint.md). GAP_CONFIG may name another file returning the
// same array shape; environment variables still win over it.
declare(strict_types=1);

return [
    // PDO DSN. SQLite in var/ needs nothing set up; MariaDB/MySQL example:
    // mysql:unix_socket=/run/mysqld/mysqld.sock;dbname=gap;charset=utf8mb4
    'store_dsn' => 'sqlite:' . dirname(__DIR__) . '/var/endpoint.sqlite',  // GAP_STORE_DSN
    'store_user' => null,                                                 // GAP_STORE_USER
    'store_password' => null,                                             // GAP_STORE_PASSWORD
    // Keep database connections open across requests (per PHP worker).
    'store_persistent' => true,                                           // GAP_STORE_PERSISTENT (0/1)

    // Delay before the agent's next contact, spec 3.3.2 syntax ("24" is hours, "1d", "30m").
    'expiration' => '24',                                                 // GAP_EXPIRATION
    // Delay given with "busy server" (503): the agent keeps its data and retries then.
    'busy_expiration' => '30m',                                           // GAP_BUSY_EXPIRATION

    // Decode with PHP's own functions the way GLPI does, for load comparisons.
    'baseline' => false,                                                  // GAP_BASELINE (0/1)

    // Inventories checked against GLPI's inventory_format (spec 5.1): strict refuses an
    // invalid one with 400 bad-format; lenient stores it without its offending parts, with
    // the list of what was dropped and the inventory as sent; off stores whatever arrives.
    'validation' => 'strict',                                             // GAP_VALIDATION (off|strict|lenient)
    // The baseline's GLPI validation: inventory_format's autoload.php (GLPI's own library).
    // null: ../shared/oracle/inventory_format beside the clone, when it is there.
    'glpi_inventory_format' => null,                                      // GAP_GLPI_INVENTORY_FORMAT

    // Request encodings accepted; others get 415 "unsupported content-type".
    'encodings' => ['none', 'zlib', 'gzip', 'deflate', 'br'],             // GAP_ENCODINGS (comma list)

    // Limits. null means the extension's INI default.
    'max_body_bytes' => 64 << 20,                                         // GAP_MAX_BODY_BYTES
    'max_decoded_bytes' => null,                                          // GAP_MAX_DECODED_BYTES
    'max_depth' => null,                                                  // GAP_MAX_DEPTH
    'max_values' => null,                                                 // GAP_MAX_VALUES
    'invalid_utf8' => null,                                               // GAP_INVALID_UTF8 (error|substitute)
    'max_proxies' => 5,                                                   // GAP_MAX_PROXIES

    // Optional HTTP basic authentication; empty login disables it.
    'auth_login' => '',                                                   // GAP_AUTH_LOGIN
    'auth_password' => '',                                                // GAP_AUTH_PASSWORD
    'auth_realm' => 'GLPI agent endpoint',                                // GAP_AUTH_REALM

    // This server's own agent id, if it may appear in GLPI-Proxy-ID chains (loop detection).
    'server_id' => null,                                                  // GAP_SERVER_ID

    // What CONTACT answers for the inventory task. glpi-agent sends its JSON inventory only
    // to a server that names itself "glpi" here.
    'inventory_task' => ['server' => 'glpi', 'version' => '10.0.0'],

    // REGISTER (spec chapter 6, docs/register.md): off (REGISTER answers 501), token (any
    // agent holding a token may register), token+manual (token, then an operator approves).
    'register' => 'off',                                                  // GAP_REGISTER
    // Once registered, an agent's requests must be encrypted. 0: no key is sent at
    // registration and requests stay plain, but only registered agents are served.
    'require_encryption' => true,                                         // GAP_REQUIRE_ENCRYPTION (0/1)
    // Lifetime of a registration and of its session key; agents renew after half of it.
    'key_lifetime' => '30d',                                              // GAP_KEY_LIFETIME
    // Seconds a REGISTER challenge stays answerable; null: the extension's INI (60).
    'challenge_max_age' => null,                                          // GAP_CHALLENGE_MAX_AGE
    // Freshness window of encrypted messages in seconds; null: the extension's INI (300).
    'message_max_age' => null,                                            // GAP_MESSAGE_MAX_AGE
    // Delay given with REGISTER refusals and pending manual validation.
    'register_retry' => '1h',                                             // GAP_REGISTER_RETRY
    // Key-encryption key (16 random bytes, created on first use, mode 0600). Kept out of
    // the database so that a dump alone reveals no token and no session key.
    'kek_file' => dirname(__DIR__) . '/var/kek.bin',                      // GAP_KEK_FILE

    // Longest text field taken from the wire, in bytes: device id, name, version, tag
    // and User-Agent (at most 255, the columns' size), and an agent's failure text (at
    // most 500). Longer: 400 bad-format.
    'max_field_bytes' => 255,                                             // GAP_MAX_FIELD_BYTES
    'max_reason_bytes' => 500,                                            // GAP_MAX_REASON_BYTES
    // What a peer that proved nothing may leave in the store, per table (pending
    // challenges, failure events, GET-retry counters): at most this many rows in all...
    'max_unauthenticated_rows' => 1000,                                   // GAP_MAX_UNAUTHENTICATED_ROWS
    // ...and per agent id: pending challenges (more: 429 too many requests)...
    'challenges_per_agent' => 3,                                          // GAP_CHALLENGES_PER_AGENT
    // ...and failure events (the oldest go first); those are kept this long.
    'failures_per_agent' => 5,                                            // GAP_FAILURES_PER_AGENT
    'failure_retention' => '7d',                                          // GAP_FAILURE_RETENTION
    // GET retries with an unknown GLPI-Request-ID: after this many for one agent, every GET
    // retry of that agent gets 429 too many requests until the window ends.
    'max_unknown_retries' => 5,                                           // GAP_MAX_UNKNOWN_RETRIES
    'unknown_retry_window' => '10m',                                      // GAP_UNKNOWN_RETRY_WINDOW
    // Client certificates (docs/endpoint.md#client-certificates): off, optional (checked
    // when presented, and then its agent id must be GLPI-Agent-ID) or required.
    'client_certificates' => 'off',                                       // GAP_CLIENT_CERTIFICATES
    // The agents' CA: ca.crt and ca.key (mode 0600, outside the database), made by
    // tools/admin.php ca create. With it, REGISTER enrolls agents that send a csr.
    'ca_dir' => dirname(__DIR__) . '/var/ca',                             // GAP_CA_DIR
    // The $_SERVER entry the web server puts the client certificate in: nginx
    // fastcgi_param SSL_CLIENT_CERT $ssl_client_escaped_cert; Apache SSLOptions +ExportCertData.
    'client_certificate_variable' => 'SSL_CLIENT_CERT',                   // GAP_CLIENT_CERTIFICATE_VARIABLE
    // Validity of the certificates the endpoint and tools/admin.php issue.
    'certificate_lifetime' => '365d',                                     // GAP_CERTIFICATE_LIFETIME
    // Allowed subject values, ITSM-NG style: ['o' => 'Company', 'ou' => 'IT$Ops', ...].
    'certificate_restrict' => [],
];
