<?php
// Shared setup for the PHPUnit suite: the extension must be loaded (make test-php passes
// -d extension=...), and helpers find the optional shared corpus next to the clone.

declare(strict_types=1);

if (!extension_loaded('glpi_agent_protocol')) {
    fwrite(STDERR, "the glpi_agent_protocol extension is not loaded: run the suite with make test-php\n");
    exit(1);
}

const PROJECT_ROOT = __DIR__ . '/..';

/** The shared corpus beside the clone, or null when this checkout has none. */
function shared_corpus(): ?string
{
    foreach ([getenv('GAP_SHARED_CORPUS') ?: '', PROJECT_ROOT . '/../shared/corpus'] as $dir) {
        if ($dir !== '' && is_dir($dir)) {
            return realpath($dir);
        }
    }
    return null;
}

/** PHP's own command line, with the same extension loaded, for tests that run subprocesses. */
function php_with_extension(): string
{
    // The build the suite runs on: where cargo put it.
    $target = getenv('CARGO_TARGET_DIR') ?: PROJECT_ROOT . '/target';
    $built = realpath($target . '/release/libglpi_agent_protocol.so');
    // Without a build, the extension under test is the installed one, loaded by php.ini.
    return escapeshellarg(PHP_BINARY) . ($built ? ' -d extension=' . escapeshellarg($built) : '');
}

/**
 * A `$_SERVER`-shaped array for tests: the given CGI variables plus the non-string entries
 * PHP puts in every `$_SERVER`, by which Request::decode() tells it from getallheaders().
 *
 * @param array<string, string> $vars
 * @return array<string, mixed>
 */
function cgi_vars(array $vars): array
{
    return $vars + ['REQUEST_TIME' => 1700000000, 'REQUEST_TIME_FLOAT' => 1700000000.5];
}
