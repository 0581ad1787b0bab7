<?php
declare(strict_types=1);

namespace GlpiAgentEndpoint\Tests;

require_once __DIR__ . '/EndpointServer.php';

/**
 * Endpoint instances as a site runs them behind a load balancer: each its own php8.2-fpm
 * master and pool (no state shared in memory), all with the same settings, in front of
 * them one nginx that gives each instance an HTTP socket of its own so that a test picks
 * the instance of every request. Everything listens on unix sockets in a private directory
 * (no port to collide with on a shared machine) and is stopped by stop().
 */
final class FpmCluster
{
    public const FPM = '/usr/sbin/php-fpm8.2';
    public const NGINX = '/usr/sbin/nginx';

    private string $dir;
    /** @var list<resource> php-fpm masters, then nginx */
    private array $processes = [];
    /** @var list<string> nginx's HTTP socket of each instance */
    private array $addresses = [];

    /** Why the cluster cannot run here, or null when it can. */
    public static function missing(): ?string
    {
        foreach ([self::FPM, self::NGINX] as $binary) {
            if (!is_executable($binary)) {
                return "$binary is not installed (scripts/install-deps.sh fpm)";
            }
        }
        return null;
    }

    /**
     * @param array<string, string> $env GAP_* settings, the same for every instance
     * @param string $dir an empty private directory for configurations, sockets and logs
     */
    public function __construct(array $env, int $instances, string $dir)
    {
        $this->dir = $dir;
        $root = posix_geteuid() === 0;
        $servers = '';
        try {
            for ($i = 0; $i < $instances; $i++) {
                $socket = "$dir/instance$i.sock";
                $lines = ['[global]', "pid = $dir/instance$i-fpm.pid", "error_log = $dir/instance$i.log", 'daemonize = no',
                    "[instance$i]", "listen = $socket", 'pm = static', 'pm.max_children = 2', 'catch_workers_output = yes',
                    'decorate_workers_output = no', 'clear_env = yes'];
                foreach ($env as $name => $value) {
                    // Quoted: a MariaDB DSN holds ';', which starts a comment in fpm's INI.
                    if (preg_match('/["$\\\\\n]/', $value)) {
                        throw new \InvalidArgumentException("$name cannot be written in a php-fpm pool: $value");
                    }
                    $lines[] = "env[$name] = \"$value\"";
                }
                file_put_contents("$dir/instance$i-fpm.conf", implode("\n", $lines) . "\n");
                $this->start([self::FPM, ...($root ? ['-R'] : []), '-F', '-y', "$dir/instance$i-fpm.conf", ...EndpointServer::phpArguments(),
                    '-d', 'post_max_size=0', '-d', 'display_errors=0', '-d', 'log_errors=1'], "$dir/instance$i.out");
                $http = "$dir/http$i.sock";
                $this->addresses[] = "unix://$http";
                $servers .= "    server {\n        listen unix:$http;\n        location / {\n"
                    . "            include /etc/nginx/fastcgi_params;\n"
                    . '            fastcgi_param SCRIPT_FILENAME ' . dirname(__DIR__, 2) . "/server/index.php;\n"
                    . "            fastcgi_pass unix:$socket;\n        }\n    }\n";
                self::waitFor(fn (): bool => file_exists($socket), "php-fpm instance $i did not listen on $socket");
            }
            $temp = implode("\n", array_map(static fn (string $t): string => "    {$t}_temp_path $dir/nginx-$t;", ['client_body', 'fastcgi', 'proxy', 'uwsgi', 'scgi']));
            file_put_contents("$dir/nginx.conf", ($root ? "user root;\n" : '') . "worker_processes 1;\npid $dir/nginx.pid;\nerror_log $dir/nginx-error.log warn;\n"
                . "events {\n    worker_connections 64;\n}\nhttp {\n    access_log off;\n$temp\n    client_max_body_size 64m;\n$servers}\n");
            $this->start([self::NGINX, '-e', "$dir/nginx-error.log", '-p', $dir, '-c', "$dir/nginx.conf", '-g', 'daemon off;'], "$dir/nginx.out");
            foreach ($this->addresses as $address) {
                self::waitFor(static fn (): bool => file_exists(substr($address, 7)), "nginx did not listen on $address");
            }
        } catch (\Throwable $e) {
            $logs = $this->logs();
            $this->stop();
            throw new \RuntimeException($e->getMessage() . "\n" . $logs, 0, $e);
        }
    }

    /** Where instance $i answers HTTP, for EndpointServer::send(). */
    public function address(int $i): string
    {
        return $this->addresses[$i];
    }

    /** What the instances and nginx logged (the endpoint's error_log lines among it). */
    public function logs(): string
    {
        $out = '';
        foreach (glob("{$this->dir}/*.{log,out}", GLOB_BRACE) ?: [] as $file) {
            $out .= '== ' . basename($file) . "\n" . file_get_contents($file);
        }
        return $out;
    }

    public function stop(): void
    {
        // nginx first, then the instances behind it.
        foreach (array_reverse($this->processes) as $process) {
            proc_terminate($process);
            proc_close($process);
        }
        $this->processes = [];
    }

    /** @param list<string> $command */
    private function start(array $command, string $output): void
    {
        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $output, 'a'], 2 => ['file', $output, 'a']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start ' . $command[0]);
        }
        $this->processes[] = $process;
    }

    private static function waitFor(\Closure $ready, string $failure): void
    {
        for ($i = 0; $i < 100; $i++) {
            if ($ready()) {
                return;
            }
            usleep(50000);
        }
        throw new \RuntimeException($failure);
    }
}
