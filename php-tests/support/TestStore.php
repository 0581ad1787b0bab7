<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

use GlpiAgentEndpoint\Migrations;
use GlpiAgentEndpoint\Store;

require_once __DIR__ . '/../../server/src/autoload.php';

/**
 * The database the tests use: a fresh SQLite file by default, or the one named by
 * GAP_TEST_DSN (with GAP_TEST_USER / GAP_TEST_PASSWORD), emptied first.
 */
final class TestStore
{
    /** @return array{dsn: string, user: ?string, password: ?string, cleanup: ?string} */
    public static function settings(): array
    {
        $dsn = getenv('GAP_TEST_DSN');
        if (is_string($dsn) && $dsn !== '') {
            return [
                'dsn' => $dsn,
                'user' => getenv('GAP_TEST_USER') ?: null,
                'password' => getenv('GAP_TEST_PASSWORD') ?: null,
                'cleanup' => null,
            ];
        }
        $dir = sys_get_temp_dir() . '/gap-endpoint-test-' . getmypid() . '-' . bin2hex(random_bytes(4));
        mkdir($dir, 0700, true);
        return ['dsn' => "sqlite:$dir/store.sqlite", 'user' => null, 'password' => null, 'cleanup' => $dir];
    }

    /** @param array{dsn: string, user: ?string, password: ?string, cleanup: ?string} $settings */
    public static function open(array $settings): Store
    {
        $store = Store::connect($settings['dsn'], $settings['user'], $settings['password']);
        Migrations::migrate($store->pdo());
        return $store;
    }

    /** @param array{dsn: string, user: ?string, password: ?string, cleanup: ?string} $settings */
    public static function fresh(array $settings): Store
    {
        $store = self::open($settings);
        $store->purge();
        return $store;
    }

    /** @param array{dsn: string, user: ?string, password: ?string, cleanup: ?string} $settings */
    public static function cleanup(array $settings): void
    {
        $dir = $settings['cleanup'];
        if ($dir === null || !is_dir($dir)) {
            return;
        }
        foreach (glob("$dir/*") ?: [] as $file) {
            unlink($file);
        }
        rmdir($dir);
    }
}
