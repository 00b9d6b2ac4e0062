using AutoMLGpt.Core.Training.Distributed;
using k8s;

namespace AutoMLGpt.Tests.Server;

/// <summary>
/// The Kubernetes launcher's objects for a 3-process job, against a reviewed snapshot (no cluster runs here): an Indexed
/// Job whose pods find each other through a headless Service, read their shards from the data volume and start the
/// app's rank mode.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Fast)]
public sealed class KubernetesManifestTests
{
    private static readonly KubernetesLaunchOptions Cluster = new()
    {
        Namespace = "ml", Image = "registry.example/automlgpt-worker:1.0", DataVolumeClaim = "automlgpt-data", CpuPerProcess = "4", MemoryPerProcess = "8Gi",
    };

    private static readonly DistributedLaunch Launch = new("automlgpt-0123456789ab", "/srv/data/distributed/0123456789abcdef0123456789abcdef",
        "distributed/0123456789abcdef0123456789abcdef", 3);

    [Fact]
    public void TheJobAndServiceMatchTheReviewedSnapshot()
    {
        var (service, job) = new KubernetesLauncher(Cluster, () => throw new InvalidOperationException("no cluster in this test")).Manifests(Launch);
        var yaml = KubernetesYaml.Serialize(service).TrimEnd() + "\n---\n" + KubernetesYaml.Serialize(job).TrimEnd() + "\n";
        var snapshot = Path.Combine(SourceFolder(), "Snapshots", "kubernetes-distributed-job.yaml");
        if (!File.Exists(snapshot))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(snapshot)!);
            File.WriteAllText(snapshot, yaml);
            Assert.Fail($"Snapshot written to {snapshot}: review it and commit it.");
        }
        Assert.Equal(File.ReadAllText(snapshot).ReplaceLineEndings("\n"), yaml.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void EveryPodGetsTheFullMachineListItsShardFolderAndARankFromItsIndex()
    {
        var (service, job) = new KubernetesLauncher(Cluster, () => throw new InvalidOperationException()).Manifests(Launch);
        Assert.Equal("None", service.Spec.ClusterIP);
        Assert.True(service.Spec.PublishNotReadyAddresses);
        Assert.Equal(Launch.Name, service.Spec.Selector[KubernetesLauncher.JobNameLabel]);
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        Assert.Equal(3, job.Spec.Completions);
        Assert.Equal(3, job.Spec.Parallelism); // all at once: they wait for each other
        Assert.Equal(0, job.Spec.BackoffLimit);
        Assert.Equal(Launch.Name, job.Spec.Template.Spec.Subdomain);
        var command = job.Spec.Template.Spec.Containers.Single().Command;
        Assert.Contains(DistributedRank.Flag, command);
        Assert.Equal("/data/distributed/0123456789abcdef0123456789abcdef", command[command.IndexOf("--job-dir") + 1]);
        Assert.Equal("automlgpt-0123456789ab-0.automlgpt-0123456789ab:12400,automlgpt-0123456789ab-1.automlgpt-0123456789ab:12400,automlgpt-0123456789ab-2.automlgpt-0123456789ab:12400",
            command[command.IndexOf("--machines") + 1]);
        Assert.DoesNotContain("--rank", command); // the pod's rank is JOB_COMPLETION_INDEX, set by Kubernetes
        Assert.Equal("automlgpt-data", job.Spec.Template.Spec.Volumes.Single().PersistentVolumeClaim.ClaimName);
    }

    [Fact]
    public void AHostNameInTheMachineListIsResolvedToAnAddressForLightGbm()
    {
        Assert.Equal("127.0.0.1:12400,10.1.2.3:12401", DistributedRank.Resolve("localhost:12400, 10.1.2.3:12401", TimeSpan.FromSeconds(5)));
    }

    private static string SourceFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AutoMLGpt.Web.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "AutoMLGpt.Tests", "Server");
    }
}
