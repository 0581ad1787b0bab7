<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/**
 * The --cert-file of an enrolling agent: its private key, then the certificate REGISTER
 * brought, in one PEM file as glpi-agent's ssl-cert-file reads it.
 */
final class ClientKey
{
    public function __construct(public readonly string $file)
    {
    }

    /**
     * The CSR for the key kept in the file (an EC P-256 key made on first use, mode 0600).
     * The subject is only a wish: the server's CA sets the certificate's own.
     */
    public function request(string $agentId): string
    {
        $pem = (string) @file_get_contents($this->file);
        $key = $pem === '' ? false : openssl_pkey_get_private($pem);
        if ($key === false) {
            $key = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
            openssl_pkey_export($key, $keyPem);
            $this->write($keyPem);
        }
        $csr = openssl_csr_new(['commonName' => $agentId], $key, ['digest_alg' => 'sha256']);
        openssl_csr_export($csr, $out);
        return $out;
    }

    /** The key, then the certificate. */
    public function saveCertificate(string $certificate): void
    {
        $key = openssl_pkey_get_private((string) file_get_contents($this->file));
        openssl_pkey_export($key, $keyPem);
        $this->write($keyPem . $certificate);
    }

    private function write(string $contents): void
    {
        $tmp = "{$this->file}.tmp";
        @unlink($tmp);
        $h = fopen($tmp, 'x');
        if ($h === false) {
            throw new Failure("cannot write $tmp");
        }
        chmod($tmp, 0600);
        fwrite($h, $contents);
        fclose($h);
        rename($tmp, $this->file);
    }
}
