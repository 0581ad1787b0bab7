<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint;

use GlpiAgentProtocol\CertificateAuthority;
use GlpiAgentProtocol\ProtocolException;

use function GlpiAgentProtocol\certificate_fingerprint;
use function GlpiAgentProtocol\parse_expiration;
use function GlpiAgentProtocol\verify_client_certificate;

/**
 * Client certificates of agents (docs/endpoint.md#client-certificates): the check of the
 * certificate the web server passes on after TLS client authentication, enrollment
 * through REGISTER (a csr in the first message, a certificate in the registered answer),
 * and what tools/admin.php does with the agents' CA.
 *
 * The CA lives in files under ca_dir (ca.crt, and ca.key with mode 0600), never in the
 * database, which keeps only serials, fingerprints and dates.
 */
final class ClientCertificates
{
    public const MODES = ['off', 'optional', 'required'];

    public function __construct(private Config $config)
    {
    }

    /** @param array<string, mixed> $values */
    public static function checkConfig(array $values): void
    {
        if (!in_array($values['client_certificates'], self::MODES, true)) {
            throw new \UnexpectedValueException('client_certificates must be one of: ' . implode(', ', self::MODES));
        }
        if (!preg_match('/^[1-9][0-9]*[smhd]?$/', (string) $values['certificate_lifetime'])) {
            throw new \UnexpectedValueException('certificate_lifetime must be a positive delay such as 365d');
        }
        if (!is_array($values['certificate_restrict']) || array_diff(array_keys($values['certificate_restrict']), ['cn', 'ou', 'o', 'email']) !== []) {
            throw new \UnexpectedValueException('certificate_restrict takes the keys cn, ou, o, email');
        }
        if (!is_string($values['ca_dir']) || $values['ca_dir'] === '' || !is_string($values['client_certificate_variable'])) {
            throw new \UnexpectedValueException('ca_dir and client_certificate_variable must be set');
        }
    }

    public function certificatePath(): string
    {
        return $this->config->get('ca_dir') . '/ca.crt';
    }

    private function keyPath(): string
    {
        return $this->config->get('ca_dir') . '/ca.key';
    }

    public function hasCa(): bool
    {
        return is_file($this->certificatePath()) && is_file($this->keyPath());
    }

    private function read(string $path): string
    {
        $bytes = @file_get_contents($path);
        if ($bytes === false || $bytes === '') {
            throw new \RuntimeException("cannot read $path: create the CA with tools/admin.php ca create");
        }
        return $bytes;
    }

    // The request path -----------------------------------------------------------------

    /**
     * Checks the certificate of the request, before anything else is done with it. Off:
     * nothing. Presented (optional or required): it must verify against the CA, not be
     * revoked or expired, and name the request's GLPI-Agent-ID; its serial and expiry are
     * then recorded on the agent. Absent: refused when required.
     *
     * @param array<string, mixed> $headers
     * @param array<string, mixed> $server $_SERVER, where the web server puts the certificate
     * @param \Closure(): Store $store opened only when a certificate is to be checked
     * @return array<string, mixed>|null what the certificate says, or null when none was checked
     */
    public function admit(array $headers, array $server, \Closure $store): ?array
    {
        $mode = $this->config->get('client_certificates');
        if ($mode === 'off') {
            return null;
        }
        $presented = trim((string) ($server[$this->config->get('client_certificate_variable')] ?? ''));
        if ($presented === '') {
            if ($mode === 'required') {
                throw EndpointError::protocol(ProtocolException::CERTIFICATE_REQUIRED);
            }
            return null;
        }
        $agent = strtolower(trim((string) Wire::header($headers, 'GLPI-Agent-ID')));
        $store = $store();
        try {
            $revoked = $store->pdo()->prepare('SELECT serial FROM client_certificates WHERE agent_uuid = ? AND revoked_at IS NOT NULL');
            $revoked->execute([$agent]);
            $identity = verify_client_certificate($presented, $this->read($this->certificatePath()), [
                'agent_id' => $agent,
                'revoked' => $revoked->fetchAll(\PDO::FETCH_COLUMN),
                'restrict' => $this->config->get('certificate_restrict'),
            ]);
            $store->pdo()->prepare('UPDATE agents SET cert_serial = ?, cert_expires = ?
                WHERE agent_uuid = ? AND (cert_serial IS NULL OR cert_serial <> ?)')
                ->execute([$identity['serial'], gmdate('Y-m-d H:i:s', $identity['not_after']), $agent, $identity['serial']]);
        } catch (ProtocolException $e) {
            throw EndpointError::fromProtocol($e);
        } catch (\PDOException $e) {
            throw EndpointError::busy($e);
        }
        return $identity;
    }

    // Enrollment through REGISTER -------------------------------------------------------

    /**
     * The members the registered answer adds: a certificate issued from the CSR the agent
     * sent with the first message of this registration (kept with its challenge until the
     * token was proven), when there is one and a CA to issue it. A renewal issues a new one.
     *
     * @return array{certificate?: string}
     */
    public function enroll(Store $store, string $agentId, ?string $csr): array
    {
        if ($csr === null || !$this->hasCa()) {
            return [];
        }
        $issued = $this->issue($store, $agentId, $csr, 'register');
        return ['certificate' => $issued['certificate']];
    }

    // Operator commands (tools/admin.php) ----------------------------------------------

    /** @return array<string, mixed> the new CA's certificate, serial, expiry and fingerprint */
    public function createCa(string $name, int $days, string $algorithm): array
    {
        $dir = $this->config->get('ca_dir');
        if (file_exists($this->certificatePath()) || file_exists($this->keyPath())) {
            throw new \RuntimeException("a CA already exists in $dir");
        }
        if (!is_dir($dir) && !@mkdir($dir, 0700, true)) {
            throw new \RuntimeException("cannot create $dir");
        }
        $ca = CertificateAuthority::create($name, $days, $algorithm);
        // The key file exists, private, before the key is written into it.
        $key = @fopen($this->keyPath(), 'x');
        if ($key === false) {
            throw new \RuntimeException('cannot create ' . $this->keyPath());
        }
        chmod($this->keyPath(), 0600);
        fwrite($key, $ca['key']);
        fclose($key);
        file_put_contents($this->certificatePath(), $ca['certificate']);
        unset($ca['key']);
        return $ca;
    }

    /** @return array<string, mixed> the issued certificate (CertificateAuthority::issue()) */
    public function issue(Store $store, string $agentId, string $csr, string $source): array
    {
        $key = $this->read($this->keyPath());
        try {
            $issued = CertificateAuthority::issue(
                $this->read($this->certificatePath()),
                $key,
                $csr,
                $agentId,
                parse_expiration((string) $this->config->get('certificate_lifetime'))
            );
        } finally {
            // PHP cannot wipe a string; dropping the only reference is what it offers.
            unset($key);
        }
        $expires = gmdate('Y-m-d H:i:s', $issued['not_after']);
        $pdo = $store->pdo();
        $pdo->prepare('INSERT INTO client_certificates (serial, agent_uuid, fingerprint, key_type, source, issued_at, not_after)
            VALUES (?, ?, ?, ?, ?, ?, ?)')
            ->execute([$issued['serial'], $issued['agent_id'], $issued['fingerprint'], $issued['key_type'], $source, Store::now(), $expires]);
        $pdo->prepare('UPDATE agents SET cert_serial = ?, cert_expires = ? WHERE agent_uuid = ?')
            ->execute([$issued['serial'], $expires, $issued['agent_id']]);
        $this->audit($store, $source === 'register' ? 'endpoint' : 'admin', 'certificate-issued', $issued['agent_id'], "serial {$issued['serial']} until $expires UTC");
        return $issued;
    }

    /** @return list<array<string, mixed>> */
    public function certificates(Store $store): array
    {
        return $store->pdo()->query(
            'SELECT c.serial, c.agent_uuid, c.key_type, c.source, c.issued_at, c.not_after, c.revoked_at,
                    CASE WHEN a.cert_serial = c.serial THEN \'yes\' ELSE \'\' END AS presented
             FROM client_certificates c LEFT JOIN agents a ON a.agent_uuid = c.agent_uuid ORDER BY c.id'
        )->fetchAll(\PDO::FETCH_ASSOC);
    }

    /** Revokes a certificate by serial (any case, colons allowed); false when unknown or already revoked. */
    public function revoke(Store $store, string $serial): bool
    {
        $serial = strtolower(str_replace(':', '', $serial));
        $serial = ltrim($serial, '0');
        $serial = strlen($serial) % 2 === 1 ? "0$serial" : $serial;
        $row = $store->pdo()->prepare('SELECT agent_uuid FROM client_certificates WHERE serial = ? AND revoked_at IS NULL');
        $row->execute([$serial]);
        $agent = $row->fetchColumn();
        if ($agent === false) {
            return false;
        }
        $store->pdo()->prepare('UPDATE client_certificates SET revoked_at = ? WHERE serial = ?')->execute([Store::now(), $serial]);
        $this->audit($store, 'admin', 'certificate-revoked', (string) $agent, "serial $serial");
        return true;
    }

    /** The fingerprint glpi-agent's ssl-fingerprint option takes, of a certificate file. */
    public static function fingerprint(string $file, string $algorithm = 'sha256'): string
    {
        $pem = @file_get_contents($file);
        if ($pem === false) {
            throw new \RuntimeException("cannot read $file");
        }
        return certificate_fingerprint($pem, $algorithm);
    }

    private function audit(Store $store, string $actor, string $event, string $agent, string $detail): void
    {
        $store->pdo()->prepare('INSERT INTO register_events (created_at, actor, event, agent_uuid, token_id, detail) VALUES (?, ?, ?, ?, NULL, ?)')
            ->execute([Store::now(), $actor, $event, $agent, $detail]);
    }
}
