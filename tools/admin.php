<?php
// Operator commands for REGISTER (docs/register.md). Same configuration as the endpoint
// (server/config.php, GAP_CONFIG, GAP_* variables); needs the glpi_agent_protocol extension.
//
//   php tools/admin.php token create [--tag T] [--comment C] [--token-file F]
//   php tools/admin.php token list | token revoke ID
//   php tools/admin.php agent list | agent approve UUID | agent reject UUID
//   php tools/admin.php agent revoke-key UUID | agent force-register UUID
//   php tools/admin.php cleanup | audit [--limit N]
//   php tools/admin.php inventory dropped ID | inventory original ID
//
// The token is printed once, by "token create"; it is stored only wrapped under the KEK.
// Every change is written to the audit log (actor "admin").
declare(strict_types=1);

use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Kek;
use GlpiAgentEndpoint\Registry;
use GlpiAgentEndpoint\Store;
use GlpiAgentEndpoint\Wire;

use function GlpiAgentProtocol\generate_token;

require dirname(__DIR__) . '/server/src/autoload.php';

const USAGE = <<<'TXT'
usage: php tools/admin.php COMMAND
  token create [--tag T] [--comment C] [--token-file F]
                                         create a token and print it (once), or write it
                                         alone to a new file F (mode 0600) instead
  token list                             tokens (never the token itself) and their keys
  token revoke ID                        revoke a token and every key issued under it
  agent list                             agents and their registration state
  agent approve UUID | agent reject UUID manual validation (register = token+manual)
  agent revoke-key UUID                  the agent's key stops working (unknown cryptokey)
  agent force-register UUID              the agent must register again (key expired)
  cleanup                                delete expired challenges, keys and replay ids
  audit [--limit N]                      the audit log, newest last (default 50)
  inventory dropped ID                   what lenient validation removed from an inventory
  inventory original ID                  print the inventory exactly as the agent sent it

TXT;

function fail(string $message, int $code = 1): never
{
    fwrite(STDERR, "admin: $message\n");
    exit($code);
}

/** @param list<string> $args @return array{0: array<string, string>, 1: list<string>} */
function options(array $args, array $known): array
{
    $options = [];
    $rest = [];
    for ($i = 0; $i < count($args); $i++) {
        $a = $args[$i];
        if (str_starts_with($a, '--')) {
            $name = substr($a, 2);
            if (!in_array($name, $known, true) || !isset($args[$i + 1])) {
                fail("unknown option or missing value: $a\n" . USAGE, 2);
            }
            $options[$name] = $args[++$i];
        } else {
            $rest[] = $a;
        }
    }
    return [$options, $rest];
}

function uuidArgument(array $rest): string
{
    if (count($rest) !== 1 || !preg_match(Wire::UUID, $rest[0])) {
        fail("an agent UUID is expected\n" . USAGE, 2);
    }
    return strtolower($rest[0]);
}

/** @param list<array<string, mixed>> $rows @param list<string> $columns */
function table(array $rows, array $columns): void
{
    $widths = [];
    foreach ($columns as $c) {
        $widths[$c] = strlen($c);
        foreach ($rows as $r) {
            $widths[$c] = max($widths[$c], strlen((string) ($r[$c] ?? '')));
        }
    }
    $line = static fn (array $cells): string => rtrim(implode('  ', array_map(
        static fn (string $c): string => str_pad((string) ($cells[$c] ?? ''), $widths[$c]),
        $columns
    )));
    echo $line(array_combine($columns, $columns)), "\n";
    foreach ($rows as $r) {
        echo $line($r), "\n";
    }
}

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    exit;
}
if (!extension_loaded('glpi_agent_protocol')) {
    fail('the glpi_agent_protocol extension is not loaded (php -d extension=...)');
}

$args = array_slice($argv, 1);
// Two words for the token and agent commands, one for the others.
$words = in_array($args[0] ?? '', ['token', 'agent', 'inventory'], true) ? 2 : 1;
$command = implode(' ', array_slice($args, 0, $words));
$args = array_slice($args, $words);

try {
    $config = Config::load();
    $store = $config->openStore();
    if (!$store->isMigrated()) {
        fail('the store schema is not up to date: run php server/migrate.php');
    }
    $registry = new Registry($store, static fn (): string => Kek::load((string) $config->get('kek_file')));

    switch ($command) {
        case 'token create':
            [$opt, $rest] = options($args, ['tag', 'comment', 'token-file']);
            if ($rest !== []) {
                fail(USAGE, 2);
            }
            $file = null;
            if (isset($opt['token-file'])) {
                // Created before the token exists, only by us, unreadable to others: a
                // token written to a terminal ends up in scrollback and screen recordings.
                $file = @fopen($opt['token-file'], 'x');
                if ($file === false) {
                    fail("cannot create {$opt['token-file']} (it must not exist yet)");
                }
                chmod($opt['token-file'], 0600);
            }
            $token = generate_token();
            $id = $store->transaction(static function () use ($registry, $token, $opt): int {
                $id = $registry->addToken($token, $opt['tag'] ?? null, $opt['comment'] ?? null);
                $registry->audit('admin', 'token-created', null, $id, isset($opt['tag']) ? "tag {$opt['tag']}" : null);
                return $id;
            });
            // The only place a token is ever shown: it is stored wrapped under the KEK.
            if ($file !== null) {
                fwrite($file, "$token\n");
                fclose($file);
                echo "token $id: written to {$opt['token-file']}\n";
            } else {
                echo "token $id: $token\n";
                echo "Give it to the agents that may register; it is not shown again.\n";
            }
            break;

        case 'token list':
            table($registry->tokens(), ['id', 'tag', 'comment', 'created_at', 'revoked_at', 'keys_issued', 'keys_active']);
            break;

        case 'token revoke':
            if (count($args) !== 1 || !ctype_digit($args[0])) {
                fail("a token id is expected\n" . USAGE, 2);
            }
            $id = (int) $args[0];
            $done = $store->transaction(static function () use ($registry, $id): bool {
                if (!$registry->revokeToken($id)) {
                    return false;
                }
                $registry->audit('admin', 'token-revoked', null, $id, 'with every key issued under it');
                return true;
            });
            if (!$done) {
                fail("no active token $id");
            }
            echo "token $id revoked, and every key issued under it\n";
            break;

        case 'agent list':
            $now = Store::now();
            $rows = [];
            foreach ($registry->agents() as $a) {
                $key = $a['token_id'] === null ? null : $a;
                $state = match (true) {
                    $a['approval'] === Registry::REJECTED => 'rejected',
                    $key !== null && Registry::keyState($key) === 'active' => "registered until {$a['expires_at']} UTC",
                    $key !== null && $key['revoked_at'] !== null => 'key revoked',
                    $key !== null && (int) $key['renew_required'] !== 0 => 're-registration required',
                    $key !== null => 'registration expired',
                    $a['approval'] === Registry::AWAITING => 'awaiting approval',
                    default => 'not registered',
                };
                if ($a['approval'] === Registry::APPROVED && $key === null) {
                    $state = 'approved, not registered yet';
                }
                $rows[] = ['uuid' => $a['agent_uuid'], 'deviceid' => $a['device_id'], 'name' => $a['name'],
                    'tag' => $a['tag'], 'token' => $a['token_id'], 'state' => $state, 'last_contact' => $a['last_contact']];
            }
            table($rows, ['uuid', 'deviceid', 'name', 'tag', 'token', 'state', 'last_contact']);
            break;

        case 'agent approve':
        case 'agent reject':
            $uuid = uuidArgument($args);
            $approve = $command === 'agent approve';
            $done = $store->transaction(static function () use ($registry, $uuid, $approve): bool {
                if (!$registry->setApproval($uuid, $approve ? Registry::APPROVED : Registry::REJECTED)) {
                    return false;
                }
                // A rejected agent keeps no working key.
                $revoked = !$approve && $registry->revokeKey($uuid);
                $registry->audit('admin', $approve ? 'agent-approved' : 'agent-rejected', $uuid, null, $revoked ? 'key revoked' : null);
                return true;
            });
            if (!$done) {
                fail("no agent $uuid (agents appear once they sent REGISTER)");
            }
            echo "agent $uuid ", $approve ? 'approved' : 'rejected', "\n";
            break;

        case 'agent revoke-key':
        case 'agent force-register':
            $uuid = uuidArgument($args);
            $revoke = $command === 'agent revoke-key';
            $done = $store->transaction(static function () use ($registry, $uuid, $revoke): bool {
                if (!($revoke ? $registry->revokeKey($uuid) : $registry->forceRegister($uuid))) {
                    return false;
                }
                $registry->audit('admin', $revoke ? 'key-revoked' : 'register-forced', $uuid);
                return true;
            });
            if (!$done) {
                fail("agent $uuid has no active key");
            }
            echo $revoke ? "key of agent $uuid revoked\n" : "agent $uuid must register again\n";
            break;

        case 'cleanup':
            if ($args !== []) {
                fail(USAGE, 2);
            }
            $done = $store->transaction(static function () use ($registry): array {
                $done = $registry->cleanup();
                $registry->audit('admin', 'cleanup', null, null, http_build_query($done, '', ' '));
                return $done;
            });
            printf("deleted %d challenges, %d keys, %d replay ids\n", $done['challenges'], $done['keys'], $done['messages']);
            break;

        case 'audit':
            [$opt, $rest] = options($args, ['limit']);
            $limit = $opt['limit'] ?? '50';
            if ($rest !== [] || !ctype_digit($limit)) {
                fail(USAGE, 2);
            }
            table($registry->events((int) $limit), ['id', 'created_at', 'actor', 'event', 'agent_uuid', 'token_id', 'detail']);
            break;

        case 'inventory dropped':
        case 'inventory original':
            if (count($args) !== 1 || !ctype_digit($args[0])) {
                fail(USAGE, 2);
            }
            $id = (int) $args[0];
            $row = array_values(array_filter($store->inventories($id - 1), static fn (array $r): bool => $r['id'] === $id))[0] ?? null;
            if ($row === null) {
                fail("no inventory $id");
            }
            if ($command === 'inventory dropped') {
                table($row['dropped'], ['pointer', 'keyword', 'message']);
                printf("%d part(s) dropped from inventory %d\n", $row['dropped_count'], $id);
            } else {
                // Nothing dropped: the stored inventory is the one sent.
                echo $store->inventoryOriginal($id) ?? $store->inventoryContent($id), "\n";
            }
            break;

        default:
            fwrite(STDERR, USAGE);
            exit(2);
    }
} catch (\PDOException $e) {
    fail('store error: ' . $e->getMessage());
} catch (\RuntimeException | \UnexpectedValueException $e) {
    fail($e->getMessage());
}
