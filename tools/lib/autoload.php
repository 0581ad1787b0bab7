<?php
declare(strict_types=1);

// Classes of the GlpiAgentSimulator namespace (tools/agent-sim.php) live one per file in
// this directory; they print server text through the endpoint's Terminal class.
require dirname(__DIR__, 2) . '/server/src/autoload.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'GlpiAgentSimulator\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
