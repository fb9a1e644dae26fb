import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

/**
 * DynamoDB Local, listening on 127.0.0.1 only. Its own main (ServerRunner) has no option for the address:
 * its Jetty server is made with `new Server(port)`, whose connector listens on every interface, so anyone
 * who can reach this machine could read and write the local tables. This does what ServerRunner's main
 * does (the same command-line options, parsed by DynamoDB Local itself) but sets the connector's host to
 * the loopback address before the server starts. `scripts/local/dynamodb-local.ts` compiles it once (into
 * node_modules/.cache) and runs it with DynamoDB Local's jar on the class path;
 * `test/integration/dynamodb-loopback.test.ts` checks that other interfaces are refused.
 */
public final class LoopbackDynamoDBLocal {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    Connector[] connectors = server.getConnectors();
    if (connectors.length == 0) throw new IllegalStateException("DynamoDB Local made no connector to bind to " + HOST);
    for (Connector connector : connectors) {
      if (!(connector instanceof ServerConnector)) throw new IllegalStateException("DynamoDB Local's connector is a " + connector.getClass().getName() + ", which this launcher cannot bind to " + HOST);
      ((ServerConnector) connector).setHost(HOST);
    }
    proxy.start();
  }
}
