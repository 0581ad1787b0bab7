<?php
// A command-line GLPI agent for trying an endpoint: it speaks the protocol the way
// glpi-agent does (PROLOG, CONTACT, then an inventory, with GLPI-Agent-ID kept in a state
// file) or the way FusionInventory does (--legacy: XML only, no agent id), compresses with
// the glpi_agent_protocol extension, and prints every exchange. Given a token, it first
// registers (spec chapter 6: challenge, answer, session key) and then encrypts every
// request (docs/encrypted-exchanges.md), renewing its registration after half its lifetime.
//
// The parts live in tools/lib (namespace GlpiAgentSimulator): CommandLine and Settings,
// Transport (HTTP, TLS, the encrypted envelope), Agent (headers, retries), Registration,
// StateFile, Messages, and Printer, which escapes whatever the server sent.
declare(strict_types=1);

use GlpiAgentSimulator\Failure;
use GlpiAgentSimulator\Simulator;

require __DIR__ . '/lib/autoload.php';

try {
    exit(Simulator::main($argv, dirname(__DIR__)));
} catch (Failure $e) {
    fwrite(STDERR, "agent-sim: {$e->getMessage()}\n");
    exit($e->getCode());
}
