<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/** One run of tools/agent-sim.php: the steps in order, then the exit status. */
final class Simulator
{
    /**
     * @param list<string> $argv
     * @param string $root the repository, where the default state and samples are
     * @return int 0 when every exchange went well, 1 otherwise
     * @throws Failure when the run cannot start or go on
     */
    public static function main(array $argv, string $root): int
    {
        $o = CommandLine::parse($argv);
        if (!empty($o['help'])) {
            echo CommandLine::USAGE;
            return 0;
        }
        if (!extension_loaded('glpi_agent_protocol') && !function_exists('GlpiAgentProtocol\compress')) {
            throw new Failure('the glpi_agent_protocol extension is not loaded (php -d extension=/path/to/libglpi_agent_protocol.so ...)');
        }
        return (new self(Settings::fromOptions($o, $root)))->run();
    }

    private function __construct(private Settings $settings)
    {
    }

    private function run(): int
    {
        $s = $this->settings;
        $state = StateFile::load($s->stateFile);
        $deviceId = $s->deviceId ?? (string) $state['deviceid'];
        $agentId = $s->legacy ? null : $state['agentid'];
        $printer = new Printer($s->quiet);
        $agent = new Agent($s, new Transport($s, $agentId), $printer, $agentId, $deviceId);
        $registration = $state['registration'] ?? null;
        if (!$s->legacy && is_array($registration) && ($registration['expires_at'] ?? 0) > time() && is_string($registration['key'] ?? null)) {
            $agent->useKey((string) hex2bin($registration['key']));
        }

        $printer->start($agent->agentId(), $deviceId, $s->encoding, $s->steps);

        foreach ($s->steps as $step) {
            switch ($step) {
                case 'register':
                    // Spec 6.1.2: register again after half of the registration's lifetime.
                    $now = time();
                    $fresh = is_array($registration)
                        && $now < (int) $registration['registered_at'] + intdiv((int) $registration['expires_at'] - (int) $registration['registered_at'], 2);
                    if ($fresh && !$s->renew) {
                        $printer->say(sprintf("── REGISTER: registered until %s UTC, nothing to renew yet\n\n", gmdate('Y-m-d H:i:s', (int) $registration['expires_at'])));
                        continue 2;
                    }
                    $clientKey = $s->certFile === null ? null : new ClientKey($s->certFile);
                    $registration = (new Registration($agent, (string) $s->token, $s->tag, $s->encoding, $clientKey))->run();
                    $x = end($agent->exchanges);
                    if ($registration === null) {
                        // Nothing else would be accepted from an agent the server did not register.
                        $agent->exchanges[] = $failed = new Exchange();
                        $failed->step = 'REGISTER (outcome)';
                        $failed->method = '-';
                        $failed->url = $s->server;
                        $failed->decodeError = 'not registered';
                        break 2;
                    }
                    $state['registration'] = $registration;
                    StateFile::save($s->stateFile, $state);
                    $agent->useKey($registration['key'] === null ? null : (string) hex2bin($registration['key']));
                    break;
                case 'prolog':
                    // FusionInventory servers only read PROLOG as XML, zlib or gzip (spec 4.1.1).
                    $prologEncoding = in_array($s->encoding, ['zlib', 'gzip', 'none'], true) ? $s->encoding : 'zlib';
                    $x = $agent->send('PROLOG', Messages::prolog($deviceId), 'xml', $prologEncoding);
                    break;
                case 'contact':
                    if ($s->legacy) {
                        throw new Failure('FusionInventory agents do not send CONTACT');
                    }
                    $x = $agent->send('CONTACT', Messages::contact($deviceId, $s->tag), 'json', $s->encoding);
                    break;
                case 'inventory':
                    $x = $s->legacy
                        ? $agent->send('INVENTORY (XML)', Messages::xmlInventory($s->xmlFile, $deviceId), 'xml', $s->encoding)
                        : $agent->send('INVENTORY', Messages::inventory($s->inventoryFile, $deviceId, $s->tag), 'json', $s->encoding);
                    break;
            }
            if ($x->transportError !== null) {
                break;
            }
        }

        $ok = array_reduce($agent->exchanges, fn (bool $carry, Exchange $x): bool => $carry && $x->ok(), true);
        if ($s->summaryJson) {
            $printer->summary($agent->agentId(), $deviceId, $s->encoding, $ok, $agent->exchanges);
        }
        return $ok ? 0 : 1;
    }
}
