<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/**
 * A run the simulator cannot start or go on with (bad option, unreadable file): the
 * command prints the message on stderr and exits with the code, 2 unless said otherwise,
 * apart from 1 for exchanges that failed.
 */
final class Failure extends \RuntimeException
{
    public function __construct(string $message, int $code = 2)
    {
        parent::__construct($message, $code);
    }
}
