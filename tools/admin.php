<?php
// Operator commands for REGISTER (docs/register.md). Same configuration as the endpoint
// (server/config.php, GAP_CONFIG, GAP_* variables); needs the glpi_agent_protocol extension.
//
//   php tools/admin.php token create [--tag T] [--comment C] [--token-file F]
//   php tools/admin.php token list | token revoke ID
//   php tools/admin.php agent list | agent approve UUID | agent reject UUID
//   php tools/admin.php agent revoke-key UUID | agent force-register UUID
//   php tools/admin.php agent move UUID (--token ID | --tag T)
//   php tools/admin.php cleanup | audit [--limit N] | failures [--limit N]
//   php tools/admin.php ca create [--name N] [--days D] [--algorithm A] | ca show
//   php tools/admin.php cert issue UUID CSR_FILE [--out F] | cert list | cert revoke SERIAL
//   php tools/admin.php fingerprint CERT_FILE [--algorithm sha256]
//   php tools/admin.php inventory dropped ID | inventory original ID
//
// The token is printed once, by "token create"; it is stored only wrapped under the KEK.
// Every change is written to the audit log (actor "admin").
declare(strict_types=1);

use GlpiAgentEndpoint\ClientCertificates;
use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Kek;
use GlpiAgentEndpoint\Registry;
use GlpiAgentEndpoint\Store;
use GlpiAgentEndpoint\Terminal;
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
  agent move UUID (--token ID | --tag T) bind the agent to another token (or the one
                                         its next REGISTER with tag T would get); it
                                         must register again, under that token
  cleanup                                delete expired challenges, keys, replay ids,
                                         old failure events and GET-retry counters
  audit [--limit N]                      the audit log, newest last (default 50)
  failures [--limit N]                   failed challenge answers and agents' failure
                                         texts (bounded, unauthenticated), newest last
  ca create [--name N] [--days D] [--algorithm A]
                                         create the agents' CA in ca_dir (ecdsa-p256,
                                         ecdsa-p384 or ed25519; default 3650 days)
  ca show                                the CA's subject, expiry and fingerprint
  cert issue UUID CSR_FILE [--out F]     issue agent UUID's client certificate from its
                                         PKCS#10 request (PEM or DER), valid
                                         certificate_lifetime; printed, or written to F
  cert list                              certificates issued, revoked, last presented
  cert revoke SERIAL                     the certificate is refused from now on
  fingerprint CERT_FILE [--algorithm A]  a server certificate's fingerprint as
                                         glpi-agent's ssl-fingerprint option takes it
  inventory dropped ID                   what lenient validation removed from an inventory
  inventory original ID                  print the inventory exactly as the agent sent it

TXT;

function fail(string $message, int $code = 1): never
{
    fwrite(STDERR, 'admin: ' . implode("\n", array_map([Terminal::class, 'text'], explode("\n", $message))) . "\n");
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

/**
 * Prints rows from the store, every cell through Terminal::text(): agents choose their
 * name, device id and failure text.
 *
 * @param list<array<string, mixed>> $rows @param list<string> $columns
 */
function table(array $rows, array $columns): void
{
    $rows = array_map(static fn (array $r): array => array_map(
        static fn (string $c): string => Terminal::text($r[$c] ?? ''),
        array_combine($columns, $columns)
    ), $rows);
    $widths = [];
    foreach ($columns as $c) {
        $widths[$c] = mb_strlen($c);
        foreach ($rows as $r) {
            $widths[$c] = max($widths[$c], mb_strlen($r[$c]));
        }
    }
    $line = static fn (array $cells): string => rtrim(implode('  ', array_map(
        static fn (string $c): string => $cells[$c] . str_repeat(' ', $widths[$c] - mb_strlen($cells[$c])),
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
$words = in_array($args[0] ?? '', ['token', 'agent', 'ca', 'cert', 'inventory'], true) ? 2 : 1;
$command = implode(' ', array_slice($args, 0, $words));
$args = array_slice($args, $words);

try {
    $config = Config::load();
    if ($command === 'fingerprint') {
        // Needs no store: the file may be any server's certificate.
        [$opt, $rest] = options($args, ['algorithm']);
        if (count($rest) !== 1) {
            fail(USAGE, 2);
        }
        echo ClientCertificates::fingerprint($rest[0], $opt['algorithm'] ?? 'sha256'), "\n";
        exit(0);
    }
    $store = $config->openStore();
    if (!$store->isMigrated()) {
        fail('the store schema is not up to date: run php server/migrate.php');
    }
    $registry = new Registry($store, static fn (): string => Kek::forStore((string) $config->get('kek_file'), $store));

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

        case 'ca create':
            [$opt, $rest] = options($args, ['name', 'days', 'algorithm']);
            if ($rest !== [] || !ctype_digit($opt['days'] ?? '3650')) {
                fail(USAGE, 2);
            }
            $ca = (new ClientCertificates($config))->createCa($opt['name'] ?? 'GLPI agents CA', (int) ($opt['days'] ?? 3650), $opt['algorithm'] ?? 'ecdsa-p256');
            echo 'CA created in ', $config->get('ca_dir'), ' (ca.crt; ca.key, mode 0600: keep it out of database backups)', "\n";
            echo 'serial ', $ca['serial'], ', valid until ', gmdate('Y-m-d H:i:s', $ca['not_after']), " UTC\n";
            echo 'fingerprint ', $ca['fingerprint'], "\n";
            break;

        case 'ca show':
            $certificates = new ClientCertificates($config);
            $pem = (string) @file_get_contents($certificates->certificatePath());
            $parsed = $pem === '' ? false : openssl_x509_parse($pem);
            if ($parsed === false) {
                fail('no CA in ' . $config->get('ca_dir') . ': tools/admin.php ca create');
            }
            echo 'subject ', $parsed['name'], "\n";
            echo 'valid until ', gmdate('Y-m-d H:i:s', $parsed['validTo_time_t']), " UTC\n";
            echo 'fingerprint ', ClientCertificates::fingerprint($certificates->certificatePath()), "\n";
            echo 'client_certificates ', $config->get('client_certificates'), "\n";
            break;

        case 'cert issue':
            [$opt, $rest] = options($args, ['out']);
            if (count($rest) !== 2 || !preg_match(Wire::UUID, $rest[0])) {
                fail("an agent UUID and a CSR file are expected\n" . USAGE, 2);
            }
            $csr = @file_get_contents($rest[1]);
            if ($csr === false) {
                fail("cannot read {$rest[1]}");
            }
            $uuid = strtolower($rest[0]);
            $issued = $store->transaction(static fn (Store $s): array => (new ClientCertificates($config))->issue($s, $uuid, $csr, 'admin'));
            if (isset($opt['out'])) {
                if (@file_put_contents($opt['out'], $issued['certificate']) === false) {
                    fail("cannot write {$opt['out']}");
                }
            } else {
                echo $issued['certificate'];
            }
            fwrite(STDERR, "certificate of agent $uuid: serial {$issued['serial']}, {$issued['key_type']}, until "
                . gmdate('Y-m-d H:i:s', $issued['not_after']) . " UTC\n"
                . "glpi-agent reads its key and certificate from one file: cat agent.key agent.crt > agent.pem,\n"
                . "then ssl-cert-file = agent.pem in its configuration file (there is no such command-line option)\n");
            break;

        case 'cert list':
            table((new ClientCertificates($config))->certificates($store), ['serial', 'agent_uuid', 'key_type', 'source', 'issued_at', 'not_after', 'revoked_at', 'presented']);
            break;

        case 'cert revoke':
            if (count($args) !== 1 || !ctype_xdigit(str_replace(':', '', $args[0]))) {
                fail("a certificate serial (hex) is expected\n" . USAGE, 2);
            }
            $serial = $args[0];
            if (!$store->transaction(static fn (Store $s): bool => (new ClientCertificates($config))->revoke($s, $serial))) {
                fail("no unrevoked certificate with serial $serial");
            }
            echo "certificate $serial revoked\n";
            break;

        case 'agent list':
            $now = Store::now();
            $rows = [];
            foreach ($registry->agents() as $a) {
                $key = $a['key_id'] === null ? null : $a;
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
            // The client certificate each agent last received or presented.
            $certs = $store->pdo()->query('SELECT agent_uuid, cert_serial, cert_expires FROM agents WHERE cert_serial IS NOT NULL')->fetchAll(\PDO::FETCH_ASSOC);
            $byAgent = array_column($certs, null, 'agent_uuid');
            foreach ($rows as &$row) {
                $c = $byAgent[$row['uuid']] ?? null;
                $row['certificate'] = $c === null ? '' : "{$c['cert_serial']} until {$c['cert_expires']} UTC";
            }
            unset($row);
            table($rows, ['uuid', 'deviceid', 'name', 'tag', 'token', 'state', 'last_contact', 'certificate']);
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
                fail("no agent $uuid (agents appear once they answered a REGISTER challenge)");
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

        case 'agent move':
            [$opt, $rest] = options($args, ['token', 'tag']);
            $uuid = uuidArgument($rest);
            if (isset($opt['token']) === isset($opt['tag']) || (isset($opt['token']) && !ctype_digit($opt['token']))) {
                fail("agent move needs --token ID or --tag T\n" . USAGE, 2);
            }
            $moved = $store->transaction(static function () use ($registry, $uuid, $opt): int|string {
                $tokenId = isset($opt['token']) ? (int) $opt['token'] : ($registry->tokenFor($opt['tag'])['id'] ?? null);
                if ($tokenId === null) {
                    return "no active token for tag {$opt['tag']}";
                }
                if (!$registry->moveAgent($uuid, $tokenId)) {
                    return "no agent $uuid, or no active token $tokenId";
                }
                $registry->audit('admin', 'agent-moved', $uuid, $tokenId, 'must register again');
                return $tokenId;
            });
            if (is_string($moved)) {
                fail($moved);
            }
            echo "agent $uuid moved to token $moved; it must register again\n";
            break;

        case 'cleanup':
            if ($args !== []) {
                fail(USAGE, 2);
            }
            $done = $store->transaction(static function () use ($registry, $config): array {
                $done = $registry->cleanup($config->seconds('failure_retention'));
                $registry->audit('admin', 'cleanup', null, null, http_build_query($done, '', ' '));
                return $done;
            });
            printf("deleted %d challenges, %d keys, %d replay ids, %d failure events, %d retry counters\n",
                $done['challenges'], $done['keys'], $done['messages'], $done['failures'], $done['retries']);
            break;

        case 'audit':
        case 'failures':
            [$opt, $rest] = options($args, ['limit']);
            $limit = $opt['limit'] ?? '50';
            if ($rest !== [] || !ctype_digit($limit)) {
                fail(USAGE, 2);
            }
            if ($command === 'audit') {
                table($registry->events((int) $limit), ['id', 'created_at', 'actor', 'event', 'agent_uuid', 'token_id', 'detail']);
            } else {
                table($registry->failures((int) $limit), ['id', 'created_at', 'event', 'agent_uuid', 'token_id', 'detail']);
            }
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
