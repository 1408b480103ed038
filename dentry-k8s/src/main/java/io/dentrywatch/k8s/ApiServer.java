package io.dentrywatch.k8s;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the Kubernetes API is and how to authenticate to it: the API server's URL, the service account's
 * bearer token and the cluster's CA. The token file is read again for every request, as the kubelet rotates
 * bound service account tokens in place; the CA is read again when its file changes.
 */
final class ApiServer {

    /** Where Kubernetes mounts a pod's service account: {@code token}, {@code ca.crt}. */
    static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final Path tokenFile;
    private final Path caFile;
    private final String userAgent;
    private final JsonFactory json = new JsonFactory();
    private SSLSocketFactory tls;
    private long caModified = Long.MIN_VALUE;

    /**
     * @param base             the API server's URL, {@code https://host:port} (or {@code http://} for a local proxy)
     * @param serviceAccount   the directory of {@code token} and {@code ca.crt}; either may be missing: no token is
     *                         sent, and the JVM's default trust store checks the server
     */
    ApiServer(URI base, Path serviceAccount) {
        String url = base.toString();
        this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        this.tokenFile = serviceAccount.resolve("token");
        this.caFile = serviceAccount.resolve("ca.crt");
        Package self = ApiServer.class.getPackage();
        String version = self == null || self.getImplementationVersion() == null ? "dev" : self.getImplementationVersion();
        this.userAgent = "dentrywatch/" + version;
    }

    /**
     * The API server a pod reaches through the {@code kubernetes} service, from the variables Kubernetes sets in
     * every container; {@code null} outside a pod.
     */
    static URI inCluster(UnaryOperator<String> environment) {
        String host = environment.apply("KUBERNETES_SERVICE_HOST");
        if (host == null || host.isBlank()) {
            return null;
        }
        String port = environment.apply("KUBERNETES_SERVICE_PORT");
        String h = host.strip();
        // an IPv6 service address goes in brackets
        return URI.create("https://" + (h.contains(":") ? "[" + h + "]" : h) + ":"
                + (port == null || port.isBlank() ? "443" : port.strip()));
    }

    /** The parser factory for this API server's answers (thread-safe; its name tables are shared). */
    JsonFactory json() {
        return json;
    }

    /** The API server's URL, without a trailing slash. */
    URI base() {
        return base;
    }

    /**
     * A GET of {@code pathAndQuery}, connected and answered.
     *
     * @param readTimeout how long a read may wait for data before it fails
     * @return the connection with a 200 answer; the caller closes its stream and disconnects it
     * @throws ApiException if the API server answered with another status (the Status it sent, if any)
     * @throws IOException  if it could not be reached, or the token or CA could not be read
     */
    HttpURLConnection get(String pathAndQuery, Duration readTimeout) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(base + pathAndQuery).toURL().openConnection();
        if (connection instanceof HttpsURLConnection https) {
            SSLSocketFactory factory = tlsFactory();
            if (factory != null) {
                https.setSSLSocketFactory(factory);
            }
        }
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) readTimeout.toMillis());
        connection.setRequestProperty("Accept", "application/json");
        connection.setRequestProperty("User-Agent", userAgent);
        String token = token();
        if (token != null) {
            connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        int status;
        try {
            status = connection.getResponseCode();
        } catch (IOException e) {
            connection.disconnect();
            throw e;
        }
        if (status != HttpURLConnection.HTTP_OK) {
            ApiException error = error(connection, status);
            connection.disconnect();
            throw error;
        }
        return connection;
    }

    private ApiException error(HttpURLConnection connection, int status) {
        try (InputStream body = connection.getErrorStream()) {
            if (body != null) {
                ApiException fromStatus = PodJson.status(json.createParser(body), status);
                if (fromStatus != null) {
                    return fromStatus;
                }
            }
        } catch (IOException e) {
            // not a Status body: the HTTP status alone says what went wrong
        }
        String message = "";
        try {
            message = connection.getResponseMessage() == null ? "" : connection.getResponseMessage();
        } catch (IOException e) {
            // the status line was read already; its text is only decoration
        }
        return new ApiException(status, "", message);
    }

    private String token() throws IOException {
        try {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            return token.isEmpty() ? null : token;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private synchronized SSLSocketFactory tlsFactory() throws IOException {
        long modified;
        try {
            modified = Files.getLastModifiedTime(caFile).toMillis();
        } catch (NoSuchFileException e) {
            return null;
        }
        if (tls == null || modified != caModified) {
            tls = trusting(caFile);
            caModified = modified;
        }
        return tls;
    }

    /** An SSL socket factory that trusts the certificates of a PEM file, and only them. */
    private static SSLSocketFactory trusting(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
            if (n == 0) {
                throw new IOException("no certificate in " + pem);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the cluster CA in " + pem + ": " + e.getMessage(), e);
        }
    }
}
