<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

/**
 * Files and directories the endpoint creates for itself (the SQLite database and its lock,
 * the cleanup stamp, the KEK's directory): readable by their owner only, whatever the
 * umask of the PHP process. The database holds every inventory and the wrapped tokens, so
 * a world-readable copy of it on a shared host would hand both to any local user.
 */
final class PrivateFile
{
    public const FILE_MODE = 0600;
    public const DIR_MODE = 0700;

    /** Creates $path empty with mode 0600 unless it exists; false when it cannot. */
    public static function create(string $path): bool
    {
        if (file_exists($path)) {
            return true;
        }
        $old = umask(0077);
        try {
            $fh = @fopen($path, 'x');
            if ($fh === false) {
                // Another process may have created it meanwhile.
                return file_exists($path);
            }
            fclose($fh);
            return true;
        } finally {
            umask($old);
        }
    }

    /** Sets $path's modification time to now, creating it with mode 0600 first. */
    public static function touch(string $path): bool
    {
        return self::create($path) && @touch($path);
    }

    /** Opens $path for locking ('c'), creating it with mode 0600 first. @return resource|false */
    public static function openForLock(string $path)
    {
        if (!self::create($path)) {
            return false;
        }
        return @fopen($path, 'c');
    }

    /** Creates $dir (and its parents) with mode 0700 unless it exists. */
    public static function mkdir(string $dir): bool
    {
        if (is_dir($dir)) {
            return true;
        }
        $old = umask(0077);
        try {
            return @mkdir($dir, self::DIR_MODE, true) || is_dir($dir);
        } finally {
            umask($old);
        }
    }
}
