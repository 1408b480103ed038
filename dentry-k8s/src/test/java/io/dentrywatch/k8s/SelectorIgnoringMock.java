package io.dentrywatch.k8s;

import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.net.URI;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Makes the fabric8 CRUD mock behave like an API server that ignores field selectors. The mock
 * would otherwise match {@code spec.nodeName=...} against attributes pods never have there and
 * answer nothing; a real server filters, and the resolver filters on its side too, which is what
 * these tests exercise. The selector the resolver sent travels on in {@value #SENT_SELECTOR_HEADER}
 * so tests can still check it was asked for. Also retries after 50 ms instead of 1 s.
 */
public final class SelectorIgnoringMock implements Consumer<KubernetesClientBuilder> {

    static final String SENT_SELECTOR_HEADER = "X-Test-Field-Selector";

    @Override
    public void accept(KubernetesClientBuilder builder) {
        builder.editOrNewConfig().withWatchReconnectInterval(50).endConfig()
                .withHttpClientBuilderConsumer(http -> http.addOrReplaceInterceptor("ignore-field-selector", new StripFieldSelector()));
    }

    private static final class StripFieldSelector implements Interceptor {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            URI uri = request.uri();
            String query = uri.getRawQuery();
            if (query == null || !query.contains("fieldSelector=")) {
                return;
            }
            String selector = Arrays.stream(query.split("&")).filter(p -> p.startsWith("fieldSelector="))
                    .map(p -> p.substring("fieldSelector=".length())).findFirst().orElse("");
            String kept = Arrays.stream(query.split("&")).filter(p -> !p.startsWith("fieldSelector="))
                    .collect(Collectors.joining("&"));
            String path = uri.getRawPath() + (kept.isEmpty() ? "" : "?" + kept);
            builder.uri(uri.resolve(path));
            builder.header(SENT_SELECTOR_HEADER, selector);
        }
    }
}
