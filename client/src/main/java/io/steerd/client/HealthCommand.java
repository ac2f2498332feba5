package io.steerd.client;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.steerd.client.sdk.SteerdClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code steerctl health}: the gRPC health check, shaped for a container HEALTHCHECK (exit 0
 * only when SERVING).
 */
@Command(name = "health",
        description = "Check the server's gRPC health; prints the status and exits 0 only when SERVING.")
final class HealthCommand implements Callable<Integer> {

    @ParentCommand
    SteerCtl root;

    @Spec
    CommandSpec spec;

    @Option(names = "--service", paramLabel = "NAME", defaultValue = "",
            description = "Service to check, e.g. steerd.v1.SteerService. Default: the whole server.")
    String service;

    @Override
    public Integer call() {
        ServingStatus status;
        try (SteerdClient client = root.connect()) {
            status = client.health(service);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(status);
        out.flush();
        return status == ServingStatus.SERVING ? 0 : SteerCtl.EXIT_ERROR;
    }
}
