<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/** The options of tools/agent-sim.php, as typed, before any is checked against another. */
final class CommandLine
{
    public const USAGE = <<<'TXT'
Usage: php tools/agent-sim.php --server URL [options]

  --server URL          the endpoint (e.g. http://127.0.0.1:8080/)
  --steps LIST          comma list of register, prolog, contact, inventory (default: prolog,
                        contact,inventory; register first when a token is given)
  --compression ENC     zlib (default), gzip, deflate, br or none
  --inventory FILE      JSON inventory to send (default: samples/inventory.json)
  --legacy              behave like FusionInventory: XML PROLOG and XML inventory, no GLPI-Agent-ID
  --xml FILE            XML inventory for --legacy (default: samples/inventory.xml)
  --state FILE          agent id, device id and session key, created on first use
                        (default: var/agent-sim.json; written with mode 0600)
  --token TOKEN         register with this token (spec chapter 6), then encrypt every request
  --token-file FILE     the same, the token read from FILE (keeps it out of the process list)
  --renew               register again even if the current registration is still fresh
  --cert-file FILE      enroll: REGISTER sends a CSR for the key in FILE (made on first use)
                        and writes the certificate it gets after the key (mode 0600), the
                        one-file form of glpi-agent's ssl-cert-file; every request over
                        https then presents it
  --ca-cert-file FILE   the CA that the https server's certificate must chain to
  --plain               send plain requests even when registered (to see the server refuse them)
  --deviceid ID         device id to use (default: from the state file)
  --tag TAG             tag sent in CONTACT and the inventory
  --no-request-id       do not send GLPI-Request-ID (glpi-agent sends it only with --debug)
  --get-retry           after each JSON answer, GET it again by GLPI-Request-ID and compare
  --user U --password P HTTP basic authentication
  --max-wait SECONDS    longest wait before retrying a "pending" answer (default 5)
  --quiet               one line per exchange
  --summary-json        print a JSON summary of the exchanges at the end
  --help

Exit status: 0 when every exchange got a 2xx answer that is not an error, 1 otherwise.

TXT;

    private const VALUED = ['server', 'steps', 'compression', 'inventory', 'xml', 'state', 'deviceid', 'tag', 'user', 'password', 'max-wait', 'token', 'token-file', 'cert-file', 'ca-cert-file'];
    private const FLAGS = ['legacy', 'no-request-id', 'get-retry', 'quiet', 'summary-json', 'help', 'renew', 'plain'];

    /**
     * --name value or --name=value for the valued options, --name alone for the flags.
     *
     * @param list<string> $argv
     * @return array<string, string|true>
     */
    public static function parse(array $argv): array
    {
        $options = [];
        for ($i = 1; $i < count($argv); $i++) {
            $arg = $argv[$i];
            if (!str_starts_with($arg, '--')) {
                throw new Failure("unexpected argument '$arg'\n\n" . self::USAGE);
            }
            [$name, $value] = array_pad(explode('=', substr($arg, 2), 2), 2, null);
            if (in_array($name, self::FLAGS, true) && $value === null) {
                $options[$name] = true;
            } elseif (in_array($name, self::VALUED, true)) {
                $value ??= $argv[++$i] ?? throw new Failure("--$name needs a value");
                $options[$name] = $value;
            } else {
                throw new Failure("unknown option --$name\n\n" . self::USAGE);
            }
        }
        return $options;
    }
}
