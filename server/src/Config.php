<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * The endpoint settings: server/config.php (or the file named by GAP_CONFIG) with
 * environment overrides. Values are checked once here so the controller can trust them.
 */
final class Config
{
    /** Environment variable => [key, type]. */
    private const ENV = [
        'GAP_STORE_DSN' => ['store_dsn', 'string'],
        'GAP_STORE_USER' => ['store_user', 'string'],
        'GAP_STORE_PASSWORD' => ['store_password', 'string'],
        'GAP_STORE_PERSISTENT' => ['store_persistent', 'bool'],
        'GAP_EXPIRATION' => ['expiration', 'string'],
        'GAP_BUSY_EXPIRATION' => ['busy_expiration', 'string'],
        'GAP_BASELINE' => ['baseline', 'bool'],
        'GAP_VALIDATION' => ['validation', 'string'],
        'GAP_GLPI_INVENTORY_FORMAT' => ['glpi_inventory_format', 'string'],
        'GAP_ENCODINGS' => ['encodings', 'list'],
        'GAP_MAX_BODY_BYTES' => ['max_body_bytes', 'int'],
        'GAP_MAX_DECODED_BYTES' => ['max_decoded_bytes', 'int'],
        'GAP_MAX_DEPTH' => ['max_depth', 'int'],
        'GAP_MAX_VALUES' => ['max_values', 'int'],
        'GAP_INVALID_UTF8' => ['invalid_utf8', 'string'],
        'GAP_MAX_PROXIES' => ['max_proxies', 'int'],
        'GAP_AUTH_LOGIN' => ['auth_login', 'string'],
        'GAP_AUTH_PASSWORD' => ['auth_password', 'string'],
        'GAP_AUTH_REALM' => ['auth_realm', 'string'],
        'GAP_SERVER_ID' => ['server_id', 'string'],
        'GAP_REGISTER' => ['register', 'string'],
        'GAP_REQUIRE_ENCRYPTION' => ['require_encryption', 'bool'],
        'GAP_KEY_LIFETIME' => ['key_lifetime', 'string'],
        'GAP_CHALLENGE_MAX_AGE' => ['challenge_max_age', 'int'],
        'GAP_MESSAGE_MAX_AGE' => ['message_max_age', 'int'],
        'GAP_REGISTER_RETRY' => ['register_retry', 'string'],
        'GAP_KEK_FILE' => ['kek_file', 'string'],
        'GAP_MAX_FIELD_BYTES' => ['max_field_bytes', 'int'],
        'GAP_MAX_REASON_BYTES' => ['max_reason_bytes', 'int'],
        'GAP_MAX_UNAUTHENTICATED_ROWS' => ['max_unauthenticated_rows', 'int'],
        'GAP_CHALLENGES_PER_AGENT' => ['challenges_per_agent', 'int'],
        'GAP_FAILURES_PER_AGENT' => ['failures_per_agent', 'int'],
        'GAP_FAILURE_RETENTION' => ['failure_retention', 'string'],
        'GAP_MAX_UNKNOWN_RETRIES' => ['max_unknown_retries', 'int'],
        'GAP_UNKNOWN_RETRY_WINDOW' => ['unknown_retry_window', 'string'],
        'GAP_CLIENT_CERTIFICATES' => ['client_certificates', 'string'],
        'GAP_CA_DIR' => ['ca_dir', 'string'],
        'GAP_CLIENT_CERTIFICATE_VARIABLE' => ['client_certificate_variable', 'string'],
        'GAP_CERTIFICATE_LIFETIME' => ['certificate_lifetime', 'string'],
    ];

    public const REGISTER_POLICIES = ['off', 'token', 'token+manual'];
    public const VALIDATION_MODES = ['off', 'strict', 'lenient'];

    public const ENCODINGS = ['none', 'zlib', 'gzip', 'deflate', 'br'];

    /** @var array<string, mixed> */
    private array $values;

    /** @param array<string, mixed> $values */
    private function __construct(array $values)
    {
        $this->values = $values;
        $this->check();
    }

    /**
     * @param array<string, string>|null $env defaults to getenv()
     */
    public static function load(?string $file = null, ?array $env = null): self
    {
        $env ??= getenv();
        $defaults = require __DIR__ . '/../config.php';
        $file ??= ($env['GAP_CONFIG'] ?? '') !== '' ? $env['GAP_CONFIG'] : null;
        $values = $defaults;
        if ($file !== null) {
            $custom = require $file;
            if (!is_array($custom)) {
                throw new \UnexpectedValueException("configuration file $file does not return an array");
            }
            $unknown = array_diff_key($custom, $defaults);
            if ($unknown !== []) {
                throw new \UnexpectedValueException('unknown configuration keys: ' . implode(', ', array_keys($unknown)));
            }
            $values = array_replace($defaults, $custom);
        }
        foreach (self::ENV as $name => [$key, $type]) {
            if (!isset($env[$name]) || $env[$name] === '') {
                continue;
            }
            $values[$key] = self::cast($name, (string) $env[$name], $type);
        }
        return new self($values);
    }

    /** @param array<string, mixed> $overrides */
    public static function fromArray(array $overrides): self
    {
        $defaults = require __DIR__ . '/../config.php';
        return new self(array_replace($defaults, $overrides));
    }

    private static function cast(string $name, string $raw, string $type): mixed
    {
        switch ($type) {
            case 'bool':
                $b = filter_var($raw, FILTER_VALIDATE_BOOL, FILTER_NULL_ON_FAILURE);
                if ($b === null) {
                    throw new \UnexpectedValueException("$name must be a boolean (0/1/true/false), got '$raw'");
                }
                return $b;
            case 'int':
                if (!preg_match('/^[0-9]+$/', $raw)) {
                    throw new \UnexpectedValueException("$name must be a non-negative integer, got '$raw'");
                }
                return (int) $raw;
            case 'list':
                return array_values(array_filter(array_map('trim', explode(',', strtolower($raw))), 'strlen'));
            default:
                return $raw;
        }
    }

    private function check(): void
    {
        $unknown = array_diff($this->values['encodings'], self::ENCODINGS);
        if ($unknown !== []) {
            throw new \UnexpectedValueException('unknown encodings: ' . implode(', ', $unknown));
        }
        if (!is_string($this->values['store_dsn']) || $this->values['store_dsn'] === '') {
            throw new \UnexpectedValueException('store_dsn is empty');
        }
        ClientCertificates::checkConfig($this->values);
        foreach (['expiration', 'busy_expiration', 'key_lifetime', 'register_retry', 'failure_retention', 'unknown_retry_window'] as $key) {
            if (!preg_match('/^[1-9][0-9]*[smhd]?$/', (string) $this->values[$key])) {
                throw new \UnexpectedValueException("$key must be a positive delay such as 24, 30m or 1d");
            }
        }
        $utf8 = $this->values['invalid_utf8'];
        if ($utf8 !== null && !in_array($utf8, ['error', 'substitute'], true)) {
            throw new \UnexpectedValueException("invalid_utf8 must be 'error' or 'substitute'");
        }
        if (!in_array($this->values['validation'], self::VALIDATION_MODES, true)) {
            throw new \UnexpectedValueException('validation must be one of: ' . implode(', ', self::VALIDATION_MODES));
        }
        $id = $this->values['server_id'];
        if ($id !== null && !preg_match('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i', $id)) {
            throw new \UnexpectedValueException('server_id must be a UUID');
        }
        if ($this->values['auth_login'] !== '' && $this->values['auth_password'] === '') {
            throw new \UnexpectedValueException('auth_login is set but auth_password is empty');
        }
        if (!in_array($this->values['register'], self::REGISTER_POLICIES, true)) {
            throw new \UnexpectedValueException("register must be one of: " . implode(', ', self::REGISTER_POLICIES));
        }
        foreach (['challenge_max_age', 'message_max_age'] as $key) {
            $v = $this->values[$key];
            if ($v !== null && (!is_int($v) || $v < 1)) {
                throw new \UnexpectedValueException("$key must be a positive number of seconds or null");
            }
        }
        foreach (FieldLimits::SETTINGS as $key => $ceiling) {
            $v = $this->values[$key];
            if (!is_int($v) || $v < 1 || $v > $ceiling) {
                throw new \UnexpectedValueException("$key must be a number of bytes from 1 to $ceiling");
            }
        }
        foreach (['max_unauthenticated_rows', 'challenges_per_agent', 'failures_per_agent', 'max_unknown_retries'] as $key) {
            $v = $this->values[$key];
            if (!is_int($v) || $v < 1) {
                throw new \UnexpectedValueException("$key must be a positive number");
            }
        }
        if (!is_string($this->values['kek_file']) || $this->values['kek_file'] === '') {
            throw new \UnexpectedValueException('kek_file is empty');
        }
        if ($this->registerEnabled() && $this->baseline()) {
            // The baseline codec reads no encrypted body and checks no REGISTER message.
            throw new \UnexpectedValueException('register needs the extension codec: set baseline to 0');
        }
    }

    public function get(string $key): mixed
    {
        if (!array_key_exists($key, $this->values)) {
            throw new \OutOfRangeException("no configuration key '$key'");
        }
        return $this->values[$key];
    }

    /**
     * The expiration as answers carry it: a bare number stays an integer (hours), as GLPI
     * sends it and as every agent version reads it; a delay with a unit stays a string.
     */
    public function expiration(string $key = 'expiration'): int|string
    {
        $v = (string) $this->values[$key];
        return ctype_digit($v) ? (int) $v : $v;
    }

    /** Opens the configured store. */
    public function openStore(): Store
    {
        return Store::connect(
            $this->values['store_dsn'],
            $this->values['store_user'],
            $this->values['store_password'],
            (bool) $this->values['store_persistent']
        );
    }

    public function baseline(): bool
    {
        return (bool) $this->values['baseline'];
    }

    /** 'off', 'strict' or 'lenient'. */
    public function validation(): string
    {
        return $this->values['validation'];
    }

    /** The autoload.php of GLPI's inventory_format library for the baseline, or null. */
    public function glpiInventoryFormat(): ?string
    {
        $file = $this->values['glpi_inventory_format']
            ?? dirname(__DIR__, 2) . '/../shared/oracle/inventory_format/autoload.php';
        return is_file($file) ? $file : null;
    }

    public function registerEnabled(): bool
    {
        return $this->values['register'] !== 'off';
    }

    public function manualApproval(): bool
    {
        return $this->values['register'] === 'token+manual';
    }

    public function requireEncryption(): bool
    {
        return (bool) $this->values['require_encryption'];
    }

    /** Seconds a challenge stays answerable: the setting, else the extension's INI. */
    public function challengeMaxAge(): int
    {
        return $this->values['challenge_max_age']
            ?? max(1, (int) ini_get('glpi_agent_protocol.challenge_max_age') ?: 60);
    }

    /** A delay setting (spec 3.3.2 syntax) in seconds. */
    public function seconds(string $key): int
    {
        return \GlpiAgentProtocol\parse_expiration((string) $this->values[$key]);
    }

    public function authRequired(): bool
    {
        return $this->values['auth_login'] !== '';
    }

    /**
     * The per-call options for Request::decode(); limits left null fall back to the
     * extension's INI directives.
     *
     * @return array<string, int|string|bool>
     */
    public function decodeOptions(): array
    {
        $options = [];
        foreach (['max_decoded_bytes', 'max_depth', 'max_values', 'max_proxies', 'invalid_utf8', 'message_max_age'] as $key) {
            if ($this->values[$key] !== null) {
                $options[$key] = $this->values[$key];
            }
        }
        return $options;
    }
}
