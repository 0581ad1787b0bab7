<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * The longest text the endpoint takes from the wire, field by field: one place for every
 * length, so that no request can store more than a column holds or grow the store by
 * sending long names. Too long is 400 bad-format, never a silent cut.
 */
final class FieldLimits
{
    /** Settings that give the lengths, with the highest value each may take. */
    public const SETTINGS = ['max_field_bytes' => 255, 'max_reason_bytes' => 500];

    /** Wire field => the setting giving its maximum length in bytes. */
    private const FIELDS = [
        'deviceid' => 'max_field_bytes',
        'name' => 'max_field_bytes',
        'version' => 'max_field_bytes',
        'tag' => 'max_field_bytes',
        'user-agent' => 'max_field_bytes',
        'reason' => 'max_reason_bytes',
    ];

    public function __construct(private Config $config)
    {
    }

    /**
     * Refuses a field longer than its limit; absent (null) fields pass.
     *
     * @param array<string, mixed> $fields wire field name => value
     */
    public function check(array $fields): void
    {
        foreach ($fields as $field => $value) {
            if ($value === null) {
                continue;
            }
            $max = $this->config->get(self::FIELDS[$field] ?? throw new \LogicException("no limit for field $field"));
            if (strlen((string) $value) > $max) {
                throw EndpointError::badFormat();
            }
        }
    }
}
