// A minimal SPARQL endpoint over Apache Jena (Debian's libapache-jena-java 4.5), for bench/bench_endpoint.py only:
// Fuseki is not packaged where we can reach it. It loads one N-Triples file into an in-memory dataset or a
// TDB2 folder, then answers POST (form) and GET `query=` requests at /sparql with SPARQL JSON results
// (SELECT, ASK) or N-Triples (CONSTRUCT, DESCRIBE), from a pool of threads, one per request.
//
//   java -cp CLASSPATH JenaEndpoint PORT FILE.nt mem|tdb2:FOLDER THREADS
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.apache.jena.query.Dataset;
import org.apache.jena.query.DatasetFactory;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ReadWrite;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.Lang;
import org.apache.jena.riot.RDFDataMgr;
import org.apache.jena.tdb2.TDB2Factory;

public class JenaEndpoint {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String data = args[1];
        String kind = args[2];
        int threads = Integer.parseInt(args[3]);
        Dataset dataset = kind.equals("mem") ? DatasetFactory.createTxnMem() : TDB2Factory.connectDataset(kind.substring(5));
        long t0 = System.nanoTime();
        dataset.begin(ReadWrite.WRITE);
        RDFDataMgr.read(dataset.getDefaultModel(), data, Lang.NTRIPLES);
        dataset.commit();
        dataset.end();
        System.err.printf("loaded %s in %.1f s%n", data, (System.nanoTime() - t0) / 1e9);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        server.setExecutor(Executors.newFixedThreadPool(threads));
        server.createContext("/sparql", exchange -> answer(exchange, dataset));
        server.start();
        System.err.println("ready");
    }

    static void answer(HttpExchange exchange, Dataset dataset) throws IOException {
        int status = 200;
        String type = "application/sparql-results+json";
        byte[] body;
        try {
            String form = exchange.getRequestMethod().equals("POST")
                ? new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)
                : exchange.getRequestURI().getRawQuery();
            String text = null;
            for (String pair : form == null ? new String[0] : form.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals("query")) {
                    text = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            Query query = QueryFactory.create(text);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            dataset.begin(ReadWrite.READ);
            try (QueryExecution exec = QueryExecutionFactory.create(query, dataset)) {
                if (query.isSelectType()) {
                    ResultSetFormatter.outputAsJSON(out, exec.execSelect());
                } else if (query.isAskType()) {
                    ResultSetFormatter.outputAsJSON(out, exec.execAsk());
                } else {
                    type = "application/n-triples";
                    RDFDataMgr.write(out, query.isConstructType() ? exec.execConstruct() : exec.execDescribe(),
                                     Lang.NTRIPLES);
                }
            } finally {
                dataset.end();
            }
            body = out.toByteArray();
        } catch (Exception e) {
            status = 400;
            type = "text/plain; charset=utf-8";
            body = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
        }
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }
}
