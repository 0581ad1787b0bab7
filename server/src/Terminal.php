<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * Text from the store made safe to print on an operator's terminal. Agents choose their
 * name, device id, tag and failure text; printed raw, an escape sequence among them could
 * clear the screen, retitle the window, move the cursor to overwrite earlier lines, or
 * (on some terminals) answer back as typed input.
 */
final class Terminal
{
    /**
     * One UTF-8 character (group 1), else one byte that starts none (group 2).
     */
    private const CHARACTER = '/([\x00-\x7f]|[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}'
        . '|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2})|(.)/s';

    /**
     * Characters printed as escapes: C0 controls and DEL, C1 controls (U+0080-U+009F,
     * CSI among them), the bidirectional overrides and isolates that reorder what follows
     * them on screen, and the backslash, so that an escape in the output is always one
     * this function wrote.
     */
    private const UNSAFE = '/^(?:[\x00-\x1f\x7f\\\\]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf)$/';

    /** $value as printable text: controls as \xNN or \u{NNNN}, bytes that are not UTF-8 as \xNN. */
    public static function text(mixed $value): string
    {
        $text = (string) $value;
        if (!preg_match('/[\x00-\x1f\x7f-\xff\\\\]/', $text)) {
            return $text;
        }
        return (string) preg_replace_callback(self::CHARACTER, static function (array $m): string {
            if (isset($m[2])) {
                return sprintf('\x%02x', ord($m[2]));
            }
            $char = $m[1];
            if ($char === '\\') {
                return '\\\\';
            }
            if (!preg_match(self::UNSAFE, $char)) {
                return $char;
            }
            return strlen($char) === 1 ? sprintf('\x%02x', ord($char)) : sprintf('\u{%04x}', mb_ord($char, 'UTF-8'));
        }, $text);
    }
}
