<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\ProtocolException;

use function GlpiAgentProtocol\unwrap_key;
use function GlpiAgentProtocol\wrap_key;

/**
 * The key-encryption key that wraps tokens and session keys at rest: 16 random bytes in a
 * file of its own (mode 0600). It lives outside the database so that a dump of the database
 * alone reveals no token and no session key.
 *
 * The store keeps one random value wrapped under it (table kek_check). A KEK is created
 * only for a store that holds nothing wrapped yet; a missing file, or a file holding
 * another KEK, in front of a store that does is refused with a KekException naming the
 * file, instead of replacing the KEK and failing every agent's decryption afterwards.
 */
final class Kek
{
    public const BYTES = 16;

    /** File mode bits a KEK file must not have: any access by group or others. */
    private const FORBIDDEN_MODE = 0077;

    /**
     * The KEK of $path, checked against $store. Runs inside the caller's transaction when
     * there is one (the check value it may write then lands or rolls back with it).
     *
     * @throws KekException the file is missing, unreadable, readable by others, malformed,
     *         or not the KEK the store's material is wrapped under
     */
    public static function forStore(string $path, Store $store): string
    {
        $pdo = $store->pdo();
        $check = $pdo->query('SELECT wrapped_check FROM kek_check WHERE id = 1')->fetchColumn();
        clearstatcache(true, $path);
        if (!file_exists($path)) {
            if ($check !== false || self::anyWrapped($store) !== null) {
                throw new KekException("kek_file $path is missing, but the store holds tokens or keys wrapped under a KEK: "
                    . 'restore the file from its backup (a new KEK would make every token and key unreadable)');
            }
            self::create($path);
        }
        $kek = self::read($path);
        if ($check !== false) {
            if (!self::unwraps((string) $check, $kek)) {
                throw self::wrong($path);
            }
            return $kek;
        }
        // A store written before the check value existed: its own material is the check.
        $wrapped = self::anyWrapped($store);
        if ($wrapped !== null && !self::unwraps($wrapped, $kek)) {
            throw self::wrong($path);
        }
        try {
            $pdo->prepare('INSERT INTO kek_check (id, wrapped_check, created_at) VALUES (1, ?, ?)')
                ->execute([bin2hex(wrap_key(random_bytes(self::BYTES), $kek)), Store::now()]);
        } catch (\PDOException $e) {
            if ($e->getCode() !== '23000') {
                throw $e;
            }
            // Another process checked in first, maybe with another KEK file. On MariaDB the
            // read must be a locking one: a plain read would see this transaction's snapshot,
            // taken before that row was committed.
            $check = $pdo->query('SELECT wrapped_check FROM kek_check WHERE id = 1' . ($store->driver() === 'mysql' ? ' FOR UPDATE' : ''))->fetchColumn();
            if ($check === false || !self::unwraps((string) $check, $kek)) {
                throw self::wrong($path);
            }
        }
        return $kek;
    }

    /** The KEK in $path, refused when the file is readable by others or malformed. */
    public static function read(string $path): string
    {
        if (!is_file($path) || !is_readable($path)) {
            throw new KekException("kek_file $path is not a readable file");
        }
        $mode = fileperms($path) & 0777;
        if (($mode & self::FORBIDDEN_MODE) !== 0) {
            throw new KekException(sprintf('kek_file %s has mode %04o: it must be readable by its owner only (chmod 600)', $path, $mode));
        }
        $size = filesize($path);
        if ($size !== self::BYTES) {
            throw new KekException(sprintf('kek_file %s must hold exactly %d bytes, it holds %s', $path, self::BYTES, var_export($size, true)));
        }
        $kek = file_get_contents($path);
        if ($kek === false || strlen($kek) !== self::BYTES) {
            throw new KekException("kek_file $path cannot be read");
        }
        return $kek;
    }

    private static function wrong(string $path): KekException
    {
        return new KekException("kek_file $path is not the KEK the store's tokens and keys are wrapped under: "
            . 'restore the right file (or point kek_file at it)');
    }

    /** Hex of one wrapped token or key in the store, or null when it holds none. */
    private static function anyWrapped(Store $store): ?string
    {
        $pdo = $store->pdo();
        foreach (['SELECT wrapped_token FROM tokens ORDER BY id DESC', 'SELECT wrapped_key FROM agent_keys ORDER BY id DESC'] as $sql) {
            $stmt = $pdo->query($sql);
            $value = $stmt->fetchColumn();
            $stmt->closeCursor();
            if ($value !== false) {
                return (string) $value;
            }
        }
        return null;
    }

    /** RFC 3394's integrity check tells whether $wrappedHex was wrapped under $kek. */
    private static function unwraps(string $wrappedHex, string $kek): bool
    {
        $wrapped = @hex2bin($wrappedHex);
        if ($wrapped === false) {
            return false;
        }
        try {
            unwrap_key($wrapped, $kek);
            return true;
        } catch (ProtocolException | \ValueError) {
            // Wrong KEK (integrity check), or a stored value of a wrong length.
            return false;
        }
    }

    /**
     * Writes a new KEK to a private temporary file, then links it into place: two processes
     * creating it at once end up reading the same one, and no reader sees a partial file.
     */
    private static function create(string $path): void
    {
        $dir = dirname($path);
        if (!PrivateFile::mkdir($dir)) {
            throw new KekException("cannot create the directory of kek_file $path");
        }
        $tmp = $dir . '/.kek-' . bin2hex(random_bytes(6));
        $old = umask(0077);
        try {
            $fh = @fopen($tmp, 'x');
            if ($fh === false) {
                throw new KekException("cannot create kek_file $path (directory not writable?)");
            }
            $written = fwrite($fh, random_bytes(self::BYTES));
            fflush($fh);
            fclose($fh);
            @chmod($tmp, PrivateFile::FILE_MODE);
            if ($written !== self::BYTES) {
                throw new KekException("cannot write kek_file $path");
            }
            if (!@link($tmp, $path) && !file_exists($path)) {
                throw new KekException("cannot create kek_file $path");
            }
        } finally {
            umask($old);
            @unlink($tmp);
        }
    }
}
