<?php
declare(strict_types=1);

// Classes of the GlpiAgentEndpoint namespace live one per file in this directory.
spl_autoload_register(static function (string $class): void {
    $prefix = 'GlpiAgentEndpoint\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
