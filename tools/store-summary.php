<?php
// Prints what the endpoint stored: agents, then inventories (optionally only those with an
// id above --since), with sizes and decode times. Reads the configured store (GAP_STORE_DSN).
//
//   php tools/store-summary.php [--since ID] [--json]
//   php tools/store-summary.php --last-id      the id of the newest inventory (0 if none)
declare(strict_types=1);

use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Terminal;

require dirname(__DIR__) . '/server/src/autoload.php';

$since = 0;
$json = false;
$lastId = false;
for ($i = 1; $i < $argc; $i++) {
    if ($argv[$i] === '--last-id') {
        $lastId = true;
    } elseif ($argv[$i] === '--since') {
        $since = (int) ($argv[++$i] ?? 0);
    } elseif ($argv[$i] === '--json') {
        $json = true;
    } else {
        fwrite(STDERR, "usage: php tools/store-summary.php [--since ID] [--json] | --last-id\n");
        exit(2);
    }
}

$store = Config::load()->openStore();
if ($lastId) {
    echo $store->lastInventoryId(), "\n";
    exit(0);
}
$inventories = $store->inventories($since);
$agentIds = array_unique(array_column($inventories, 'agent_id'));
$agents = array_values(array_filter($store->agents(), static fn (array $a): bool => $since === 0 || in_array($a['id'], $agentIds, true)));

if ($json) {
    echo json_encode(['agents' => $agents, 'inventories' => $inventories], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n";
    exit(0);
}

/**
 * Prints rows from the store, every cell through Terminal::text(): agents choose their
 * device id, name, version and itemtype.
 *
 * @param list<int> $numeric columns aligned right
 */
function table(array $head, array $rows, array $numeric = []): void
{
    $rows = array_map(static fn (array $row): array => array_map([Terminal::class, 'text'], array_values($row)), $rows);
    $widths = array_map('mb_strlen', $head);
    foreach ($rows as $row) {
        foreach (array_values($row) as $i => $cell) {
            $widths[$i] = max($widths[$i], mb_strlen((string) $cell));
        }
    }
    $line = static function (array $cells) use ($widths, $numeric): string {
        $out = [];
        foreach (array_values($cells) as $i => $cell) {
            $cell = (string) $cell;
            $pad = $widths[$i] - mb_strlen($cell);
            $out[] = in_array($i, $numeric, true) ? str_repeat(' ', $pad) . $cell : $cell . str_repeat(' ', $pad);
        }
        return '  ' . rtrim(implode('  ', $out)) . "\n";
    };
    echo $line($head);
    echo $line(array_map(static fn (int $w): string => str_repeat('-', $w), $widths));
    foreach ($rows as $row) {
        echo $line($row);
    }
}

printf("Agents (%d)\n", count($agents));
table(
    ['id', 'device id', 'agent id', 'name', 'version', 'last action', 'enabled tasks', 'last contact (UTC)'],
    array_map(static fn (array $a): array => [
        $a['id'], $a['device_id'], $a['agent_uuid'] ?? '-', $a['name'] ?? '-', $a['version'] ?? '-',
        $a['last_action'], $a['enabled_tasks'] === null ? '-' : implode(',', $a['enabled_tasks']), $a['last_contact'],
    ], $agents),
    [0]
);

printf("\nInventories (%d)\n", count($inventories));
table(
    ['id', 'agent', 'action', 'itemtype', 'format', 'compression', 'wire bytes', 'decoded bytes', 'decode ms', 'dropped', 'converted json'],
    array_map(static fn (array $r): array => [
        $r['id'], $r['agent_id'], $r['action'], $r['itemtype'], $r['format'], $r['compression'],
        number_format($r['raw_size']), number_format($r['decoded_size']), sprintf('%.2f', $r['decode_us'] / 1000),
        $r['dropped_count'],
        $r['converted_size'] === null ? '-' : number_format($r['converted_size']) . ' bytes',
    ], $inventories),
    [0, 1, 6, 7, 8, 9]
);
// Lenient validation: what each inventory lost, and where the agent's own copy is.
foreach ($inventories as $r) {
    if ($r['dropped_count'] === 0) {
        continue;
    }
    printf("\n  inventory %d: %d part(s) dropped (the inventory as sent: php tools/admin.php inventory original %d)\n", $r['id'], $r['dropped_count'], $r['id']);
    foreach ($r['dropped'] as $d) {
        printf("    %s  %s  %s\n", $d['pointer'], $d['keyword'], $d['message']);
    }
}
if ($inventories !== []) {
    $raw = array_sum(array_column($inventories, 'raw_size'));
    $decoded = array_sum(array_column($inventories, 'decoded_size'));
    printf(
        "\n  %s bytes received, %s bytes once decoded, %.2f ms decoding in all\n",
        number_format($raw), number_format($decoded), array_sum(array_column($inventories, 'decode_us')) / 1000
    );
}
