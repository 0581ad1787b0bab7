<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

use function GlpiAgentProtocol\generate_token;

/** The agent's identity and registration, kept between runs in one JSON file. */
final class StateFile
{
    /** @return array{agentid: string, deviceid: string, registration?: array<string, mixed>} */
    public static function load(string $file): array
    {
        if (is_file($file)) {
            $state = json_decode((string) file_get_contents($file), true);
            if (is_array($state) && isset($state['agentid'], $state['deviceid'])) {
                return $state;
            }
            throw new Failure("state file $file is not valid; delete it to start a new agent");
        }
        $state = [
            'agentid' => generate_token(),
            // glpi-agent's form, host name then creation time. Each state file is another
            // simulated host, so its name joins the host name: two agents created in the same
            // second must not share a device id (legacy agents are known by it alone).
            'deviceid' => (gethostname() ?: 'agent-sim') . '-' . preg_replace('/[^A-Za-z0-9-]+/', '-', basename($file, '.json')) . '-' . gmdate('Y-m-d-H-i-s'),
        ];
        self::save($file, $state);
        return $state;
    }

    /** The state holds the session key once registered: only its owner may read it. */
    public static function save(string $file, array $state): void
    {
        if (!is_dir(dirname($file))) {
            mkdir(dirname($file), 0775, true);
        }
        $tmp = $file . '.' . getmypid() . '.tmp';
        touch($tmp);
        chmod($tmp, 0600);
        file_put_contents($tmp, json_encode($state, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
        rename($tmp, $file);
    }
}
