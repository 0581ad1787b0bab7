<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/**
 * A run the simulator cannot start or go on with (bad option, unreadable file): the
 * command prints the message on stderr and exits with 2, which tells it apart from 1,
 * the status of a run whose exchanges failed.
 */
final class Failure extends \RuntimeException
{
    public function __construct(string $message, int $code = 2)
    {
        parent::__construct($message, $code);
    }
}
