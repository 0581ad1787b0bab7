<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * The key-encryption key that wraps tokens and session keys at rest: 16 random bytes in a
 * file of its own (mode 0600), created on first use. It lives outside the database so that
 * a dump of the database alone reveals no token and no session key.
 */
final class Kek
{
    public const BYTES = 16;

    /** The KEK from $path, created first when the file does not exist. */
    public static function load(string $path): string
    {
        if (!file_exists($path)) {
            self::create($path);
        }
        if (!is_file($path) || !is_readable($path)) {
            throw new \RuntimeException("kek_file $path is not a readable file");
        }
        $size = filesize($path);
        if ($size !== self::BYTES) {
            throw new \RuntimeException(sprintf('kek_file %s must hold exactly %d bytes, it holds %s', $path, self::BYTES, var_export($size, true)));
        }
        $kek = file_get_contents($path);
        if ($kek === false || strlen($kek) !== self::BYTES) {
            throw new \RuntimeException("kek_file $path cannot be read");
        }
        return $kek;
    }

    /**
     * Writes a new KEK to a private temporary file, then links it into place: two processes
     * creating it at once end up reading the same one, and no reader sees a partial file.
     */
    private static function create(string $path): void
    {
        $dir = dirname($path);
        if (!is_dir($dir) && !@mkdir($dir, 0700, true) && !is_dir($dir)) {
            throw new \RuntimeException("cannot create the directory of kek_file $path");
        }
        $tmp = $dir . '/.kek-' . bin2hex(random_bytes(6));
        $old = umask(0077);
        try {
            $fh = @fopen($tmp, 'x');
            if ($fh === false) {
                throw new \RuntimeException("cannot create kek_file $path (directory not writable?)");
            }
            $written = fwrite($fh, random_bytes(self::BYTES));
            fflush($fh);
            fclose($fh);
            @chmod($tmp, 0600);
            if ($written !== self::BYTES) {
                throw new \RuntimeException("cannot write kek_file $path");
            }
            if (!@link($tmp, $path) && !file_exists($path)) {
                throw new \RuntimeException("cannot create kek_file $path");
            }
        } finally {
            umask($old);
            @unlink($tmp);
        }
    }
}
