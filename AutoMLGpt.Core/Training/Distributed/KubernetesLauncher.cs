using System.Globalization;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace AutoMLGpt.Core.Training.Distributed;

/// <summary>
/// A distributed job as Kubernetes objects: an Indexed Job (one pod per process, its index the rank) and a headless
/// Service that gives each pod a DNS name (<c>{job}-{index}.{job}</c>) for LightGBM's machine list. The pods mount the
/// data folder's volume and read their shards from it; rank 0's log carries the curve. Built and snapshot-tested here,
/// not run (no cluster on this machine).
/// </summary>
public sealed class KubernetesLauncher(KubernetesLaunchOptions options, Func<IKubernetes> connect) : IDistributedLauncher
{
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string IndexAnnotation = "batch.kubernetes.io/job-completion-index";

    public string Describe(int processes) => $"{processes} pods of a Kubernetes Indexed Job in namespace {options.Namespace}";

    /// <summary>The headless Service and the Indexed Job for <paramref name="launch"/>, as they are created.</summary>
    public (V1Service Service, V1Job Job) Manifests(DistributedLaunch launch)
    {
        var name = launch.Name;
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "automlgpt", ["app.kubernetes.io/component"] = "lightgbm-rank", ["automlgpt/job"] = name };
        var service = new V1Service
        {
            ApiVersion = "v1", Kind = "Service",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.Namespace, Labels = labels },
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None", // headless: one DNS record per pod
                PublishNotReadyAddresses = true, // peers must find each other before any is "ready"
                Selector = new Dictionary<string, string> { [JobNameLabel] = name },
                Ports = [new V1ServicePort { Name = "lightgbm", Port = options.Port, TargetPort = options.Port }],
            },
        };
        var machines = string.Join(',', Enumerable.Range(0, launch.Processes).Select(i => $"{name}-{i}.{name}:{options.Port}"));
        var directory = $"{options.DataMountPath.TrimEnd('/')}/{launch.RelativeDirectory.Replace('\\', '/')}";
        var resources = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(options.CpuPerProcess), ["memory"] = new(options.MemoryPerProcess) };
        var job = new V1Job
        {
            ApiVersion = "batch/v1", Kind = "Job",
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = options.Namespace, Labels = labels },
            Spec = new V1JobSpec
            {
                CompletionMode = "Indexed",
                Completions = launch.Processes,
                Parallelism = launch.Processes, // all at once: they wait for each other in LGBM_NetworkInit
                BackoffLimit = 0, // a failed process fails the job; the runner stops the rest
                TtlSecondsAfterFinished = 600,
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Subdomain = name, RestartPolicy = "Never",
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "lightgbm", Image = options.Image,
                                Command = [.. options.Command, DistributedRank.Flag, "--job-dir", directory, "--machines", machines, "--listen-port", options.Port.ToString(CultureInfo.InvariantCulture)],
                                Ports = [new V1ContainerPort { Name = "lightgbm", ContainerPort = options.Port }],
                                Resources = new V1ResourceRequirements { Requests = resources, Limits = resources },
                                VolumeMounts = [new V1VolumeMount { Name = "data", MountPath = options.DataMountPath }],
                            },
                        ],
                        Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = options.DataVolumeClaim } }],
                    },
                },
            },
        };
        return (service, job);
    }

    public async Task<IDistributedRun> StartAsync(DistributedLaunch launch, CancellationToken cancellationToken)
    {
        var client = connect();
        var (service, job) = Manifests(launch);
        await client.CoreV1.CreateNamespacedServiceAsync(service, options.Namespace, cancellationToken: cancellationToken);
        try { await client.BatchV1.CreateNamespacedJobAsync(job, options.Namespace, cancellationToken: cancellationToken); }
        catch
        {
            await client.CoreV1.DeleteNamespacedServiceAsync(launch.Name, options.Namespace, cancellationToken: CancellationToken.None);
            throw;
        }
        return new PodRun(client, options.Namespace, launch);
    }

    // Follows the pods: each one's log once it runs (reports), and its end (the container's exit code).
    private sealed class PodRun : IDistributedRun
    {
        private readonly IKubernetes _client;
        private readonly string _namespace;
        private readonly DistributedLaunch _launch;
        private readonly Channel<RankMessage> _messages = Channel.CreateUnbounded<RankMessage>();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _watch;

        public PodRun(IKubernetes client, string ns, DistributedLaunch launch)
        {
            (_client, _namespace, _launch) = (client, ns, launch);
            _watch = Task.Run(WatchAsync);
        }

        public ChannelReader<RankMessage> Messages => _messages.Reader;

        private async Task WatchAsync()
        {
            var following = new Dictionary<int, Task>();
            var ended = new HashSet<int>();
            try
            {
                while (ended.Count < _launch.Processes && !_stop.IsCancellationRequested)
                {
                    var pods = await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: $"{JobNameLabel}={_launch.Name}", cancellationToken: _stop.Token);
                    foreach (var pod in pods.Items)
                    {
                        if (pod.Metadata.Annotations?.TryGetValue(IndexAnnotation, out var index) != true || !int.TryParse(index, CultureInfo.InvariantCulture, out var rank)) continue;
                        if (pod.Status?.Phase is "Running" or "Succeeded" or "Failed" && !following.ContainsKey(rank))
                            following[rank] = FollowLogAsync(pod.Metadata.Name, rank);
                        if (pod.Status?.Phase is "Succeeded" or "Failed" && ended.Add(rank))
                        {
                            if (following.TryGetValue(rank, out var log)) await log; // its last reports before its end
                            var terminated = pod.Status.ContainerStatuses?.FirstOrDefault()?.State?.Terminated;
                            _messages.Writer.TryWrite(new RankExited(rank, terminated?.ExitCode ?? 1, terminated?.Reason ?? pod.Status.Reason ?? ""));
                        }
                    }
                    await Task.Delay(TimeSpan.FromSeconds(2), _stop.Token);
                }
            }
            catch (OperationCanceledException) { }
            catch (Exception ex) { _messages.Writer.TryWrite(new RankExited(-1, 1, $"Kubernetes: {ex.Message}")); } // a launcher failure, not a process's
            finally { _messages.Writer.TryComplete(); }
        }

        private async Task FollowLogAsync(string pod, int rank)
        {
            try
            {
                await using var stream = await _client.CoreV1.ReadNamespacedPodLogAsync(pod, _namespace, follow: true, cancellationToken: _stop.Token);
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    if (RankReport.Parse(line) is { } report) _messages.Writer.TryWrite(new RankReported(rank, report));
            }
            catch (OperationCanceledException) { }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            try { await _client.BatchV1.DeleteNamespacedJobAsync(_launch.Name, _namespace, propagationPolicy: "Foreground"); }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { }
            try { await _client.CoreV1.DeleteNamespacedServiceAsync(_launch.Name, _namespace); }
            catch (k8s.Autorest.HttpOperationException ex) when (ex.Response.StatusCode == System.Net.HttpStatusCode.NotFound) { }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            try { await _watch; } catch (OperationCanceledException) { }
            _stop.Dispose();
        }
    }
}
