<?php
// Creates or upgrades the endpoint's schema in the configured store (GAP_STORE_DSN or
// server/config.php). Safe to run any number of times.
//
//   php server/migrate.php            apply pending steps
//   php server/migrate.php --status   print the schema version and exit
//   php server/migrate.php --purge    apply pending steps, then empty every table (benchmarks)
declare(strict_types=1);

use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Migrations;
use GlpiAgentEndpoint\Store;

require __DIR__ . '/src/autoload.php';

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    exit;
}

$config = Config::load();
$dsn = $config->get('store_dsn');
$store = Store::connect($dsn, $config->get('store_user'), $config->get('store_password'));
$shown = preg_replace('/password=[^;]*/i', 'password=***', $dsn);

if (in_array('--status', $argv, true)) {
    printf("%s: schema version %d of %d\n", $shown, Migrations::current($store->pdo()), Migrations::latest());
    exit(0);
}

$applied = Migrations::migrate($store->pdo());
if (in_array('--purge', $argv, true)) {
    $store->purge();
}
printf(
    "%s: %s (schema version %d)\n",
    $shown,
    $applied === [] ? 'up to date' : 'applied ' . implode(', ', $applied),
    Migrations::current($store->pdo())
);
