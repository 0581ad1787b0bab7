<?php
// Front controller of the GLPI agent endpoint. Point agents at the URL this file serves:
//   php -S 127.0.0.1:8080 server/index.php          (development)
//   nginx + php-fpm with SCRIPT_FILENAME set to this file  (see bench/)
declare(strict_types=1);

use GlpiAgentEndpoint\Config;
use GlpiAgentEndpoint\Controller;
use GlpiAgentEndpoint\HttpReply;

// Nothing may reach the agent before the answer: a stray byte ahead of a compressed body
// makes agents fail with "can't uncompress content". Warnings go to the log, output to a
// buffer that the answer drops.
ini_set('display_errors', '0');
ini_set('log_errors', '1');
ob_start();

require __DIR__ . '/src/autoload.php';

if (!extension_loaded('glpi_agent_protocol')) {
    error_log('glpi agent endpoint: the glpi_agent_protocol extension is not loaded');
    (new HttpReply(500, ['Content-Type' => 'application/json'], '{"status":"error","message":"internal error"}'))->emit();
    return;
}

try {
    $controller = Controller::fromConfig(Config::load());
} catch (\Throwable $e) {
    error_log('glpi agent endpoint: bad configuration: ' . $e->getMessage());
    (new HttpReply(500, ['Content-Type' => 'application/json'], '{"status":"error","message":"internal error"}'))->emit();
    return;
}

$body = file_get_contents('php://input');
$controller->handle(
    $_SERVER['REQUEST_METHOD'] ?? 'GET',
    function_exists('getallheaders') ? getallheaders() : $_SERVER,
    $body === false ? '' : $body,
    $_SERVER
)->emit();
