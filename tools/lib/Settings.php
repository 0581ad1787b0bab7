<?php
declare(strict_types=1);

namespace GlpiAgentSimulator;

/** What a run does, from the command line's options once they agree with each other. */
final class Settings
{
    public const ENCODING_TYPES = [
        'zlib' => 'application/x-compress-zlib',
        'gzip' => 'application/x-compress-gzip',
        'deflate' => 'application/x-compress-deflate',
        'br' => 'application/x-compress-br',
    ];

    public const STEPS = ['register', 'prolog', 'contact', 'inventory'];

    /** @param list<string> $steps */
    private function __construct(
        public readonly string $server,
        public readonly string $encoding,
        public readonly bool $legacy,
        public readonly ?string $token,
        public readonly array $steps,
        public readonly string $stateFile,
        public readonly ?string $deviceId,
        public readonly ?string $tag,
        public readonly string $inventoryFile,
        public readonly string $xmlFile,
        public readonly ?string $certFile,
        public readonly ?string $caCertFile,
        public readonly ?string $user,
        public readonly ?string $password,
        public readonly bool $requestId,
        public readonly bool $getRetry,
        public readonly bool $renew,
        public readonly bool $plain,
        public readonly int $maxWait,
        public readonly bool $quiet,
        public readonly bool $summaryJson,
    ) {
    }

    /**
     * @param array<string, string|true> $o from CommandLine::parse()
     * @param string $root the repository, where the default state and samples are
     */
    public static function fromOptions(array $o, string $root): self
    {
        if (!isset($o['server']) || !preg_match('#^https?://#', (string) $o['server'])) {
            throw new Failure("--server http://HOST:PORT/ is required\n\n" . CommandLine::USAGE);
        }
        $encoding = strtolower((string) ($o['compression'] ?? 'zlib'));
        if ($encoding !== 'none' && !isset(self::ENCODING_TYPES[$encoding])) {
            throw new Failure("unknown compression '$encoding' (zlib, gzip, deflate, br, none)");
        }
        $legacy = !empty($o['legacy']);
        $token = null;
        if (isset($o['token-file'])) {
            $token = trim((string) @file_get_contents((string) $o['token-file']));
            if ($token === '') {
                throw new Failure("cannot read a token from {$o['token-file']}");
            }
        } elseif (isset($o['token'])) {
            $token = (string) $o['token'];
        }
        if ($token !== null && $legacy) {
            throw new Failure('FusionInventory agents do not register: --token needs the JSON protocol');
        }
        $defaultSteps = $legacy ? 'prolog,inventory' : ($token !== null ? 'register,prolog,contact,inventory' : 'prolog,contact,inventory');
        $steps = array_values(array_filter(array_map('trim', explode(',', (string) ($o['steps'] ?? $defaultSteps)))));
        foreach ($steps as $step) {
            if (!in_array($step, self::STEPS, true)) {
                throw new Failure("unknown step '$step' (register, prolog, contact, inventory)");
            }
            if ($step === 'register' && $token === null) {
                throw new Failure('the register step needs --token or --token-file');
            }
        }
        $string = static fn (string $name): ?string => isset($o[$name]) ? (string) $o[$name] : null;
        return new self(
            server: (string) $o['server'],
            encoding: $encoding,
            legacy: $legacy,
            token: $token,
            steps: $steps,
            stateFile: $string('state') ?? "$root/var/agent-sim.json",
            deviceId: $string('deviceid'),
            tag: $string('tag'),
            inventoryFile: $string('inventory') ?? "$root/samples/inventory.json",
            xmlFile: $string('xml') ?? "$root/samples/inventory.xml",
            certFile: $string('cert-file'),
            caCertFile: $string('ca-cert-file'),
            user: $string('user'),
            password: $string('password'),
            requestId: empty($o['no-request-id']),
            getRetry: !empty($o['get-retry']),
            renew: !empty($o['renew']),
            plain: !empty($o['plain']),
            maxWait: (int) ($o['max-wait'] ?? 5),
            quiet: !empty($o['quiet']),
            summaryJson: !empty($o['summary-json']),
        );
    }
}
