package io.netplane.api.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netplane.api.readmodel.SandboxEntry;
import io.netplane.api.readmodel.SandboxNodeState;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.ConfigProvider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.List;

/**
 * The daemon part of Docker's API that clients need before anything else: {@code /_ping} (the CLI's first
 * request, for {@code Api-Version}), {@code /version} and {@code /info}. {@link DockerPaths} adds the
 * headers and serves the {@code /v1.NN/} forms.
 */
@Path("/")
public class DockerEngineResource {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String VERSION = ConfigProvider.getConfig()
            .getOptionalValue("quarkus.application.version", String.class).orElse("0.1.0");

    static String server() {
        return "netplane/" + VERSION + " (linux)";
    }

    @GET
    @Path("_ping")
    public Response ping() {
        return pong("OK");
    }

    @HEAD
    @Path("_ping")
    public Response pingHead() {
        return Response.fromResponse(pong(null)).header("Content-Length", "0").build();
    }

    private static Response pong(String body) {
        return Response.ok(body).type(TEXT)
                .header("Cache-Control", "no-cache, no-store, must-revalidate")
                .header("Pragma", "no-cache").build();
    }

    @GET
    @Path("version")
    public Response version() {
        ObjectNode v = JSON.createObjectNode();
        v.putObject("Platform").put("Name", "netplane");
        ObjectNode engine = v.putArray("Components").addObject();
        engine.put("Name", "Engine");
        engine.put("Version", VERSION);
        ObjectNode details = engine.putObject("Details");
        details.put("ApiVersion", DockerPaths.API_VERSION);
        details.put("Arch", arch());
        details.put("BuildTime", "");
        details.put("Experimental", "false");
        details.put("GitCommit", "");
        details.put("GoVersion", "java" + System.getProperty("java.version"));
        details.put("KernelVersion", kernel());
        details.put("MinAPIVersion", DockerPaths.MIN_API_VERSION);
        details.put("Os", "linux");
        v.put("Version", VERSION);
        v.put("ApiVersion", DockerPaths.API_VERSION);
        v.put("MinAPIVersion", DockerPaths.MIN_API_VERSION);
        v.put("GitCommit", "");
        v.put("GoVersion", "java" + System.getProperty("java.version"));
        v.put("Os", "linux");
        v.put("Arch", arch());
        v.put("KernelVersion", kernel());
        v.put("BuildTime", "");
        return json(v);
    }

    /** Enough for {@code docker info}: sandboxes count as containers, no images, no swarm. */
    @GET
    @Path("info")
    @Transactional
    public Response info() {
        List<SandboxEntry> live = SandboxEntry.live();
        long running = live.stream().filter(s -> {
            SandboxNodeState state = SandboxNodeState.findById(s.id);
            return state != null && SandboxNodeState.READY.equals(state.state);
        }).count();
        ObjectNode i = JSON.createObjectNode();
        i.put("ID", "netplane");
        i.put("Containers", live.size());
        i.put("ContainersRunning", running);
        i.put("ContainersPaused", 0);
        i.put("ContainersStopped", live.size() - running);
        i.put("Images", 0);
        i.put("Driver", "netplane");
        i.putArray("DriverStatus");
        ObjectNode plugins = i.putObject("Plugins");
        plugins.putArray("Volume");
        plugins.putArray("Network").add("bridge").add("host").add("null").add("overlay");
        plugins.putNull("Authorization");
        plugins.putArray("Log");
        i.put("MemoryLimit", false);
        i.put("SwapLimit", false);
        i.put("CpuCfsPeriod", false);
        i.put("CpuCfsQuota", false);
        i.put("IPv4Forwarding", true);
        i.put("Debug", false);
        i.put("NFd", 0);
        i.put("NGoroutines", Thread.activeCount());
        i.put("SystemTime", DockerNetworks.created(java.time.Instant.now()));
        i.put("LoggingDriver", "");
        i.put("CgroupDriver", "");
        i.put("NEventsListener", 0);
        i.put("KernelVersion", kernel());
        i.put("OperatingSystem", "netplane");
        i.put("OSVersion", "");
        i.put("OSType", "linux");
        i.put("Architecture", System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch"));
        i.put("IndexServerAddress", "");
        i.put("NCPU", Runtime.getRuntime().availableProcessors());
        i.put("MemTotal", Runtime.getRuntime().maxMemory());
        i.put("DockerRootDir", "");
        i.put("Name", hostname());
        i.putArray("Labels");
        i.put("ExperimentalBuild", false);
        i.put("ServerVersion", VERSION);
        ObjectNode swarm = i.putObject("Swarm");
        swarm.put("NodeID", "");
        swarm.put("NodeAddr", "");
        swarm.put("LocalNodeState", "inactive");
        swarm.put("ControlAvailable", false);
        swarm.put("Error", "");
        swarm.putNull("RemoteManagers");
        i.put("LiveRestoreEnabled", false);
        i.put("Isolation", "");
        i.put("InitBinary", "");
        i.putArray("SecurityOptions");
        i.putArray("Warnings");
        return json(i);
    }

    static Response json(Object body) {
        return Response.ok(body + "\n").type("application/json").build();
    }

    private static String arch() {
        return System.getProperty("os.arch");
    }

    private static String kernel() {
        return System.getProperty("os.version");
    }

    private static String hostname() {
        try {
            return Files.readString(Paths.get("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "netplane";
        }
    }
}
