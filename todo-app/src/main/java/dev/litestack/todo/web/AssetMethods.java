package dev.litestack.todo.web;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;

/**
 * The static assets answer GET and HEAD only: any other method is 405 with {@code Allow}, as for the app's own
 * routes (Micronaut's static resources would answer a POST, PUT or DELETE with the file).
 */
@ServerFilter("/assets/**")
final class AssetMethods {

    private final ErrorResponseProcessor<?> processor;

    AssetMethods(ErrorResponseProcessor<?> processor) {
        this.processor = processor;
    }

    @RequestFilter
    @Nullable
    public HttpResponse<?> onlyReads(HttpRequest<?> request) {
        HttpMethod method = request.getMethod();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD) {
            return null;
        }
        return processor
                .processResponse(
                        ErrorContext.builder(request).build(), HttpResponse.status(HttpStatus.METHOD_NOT_ALLOWED))
                .header(HttpHeaders.ALLOW, "GET, HEAD");
    }
}
