<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * The KEK cannot be used: its file is missing, unreadable, readable by others, malformed,
 * or not the KEK the store's tokens and keys are wrapped under. The message names the file
 * and never holds key material; the endpoint answers 503 "busy server" and logs it.
 */
final class KekException extends \RuntimeException
{
}
