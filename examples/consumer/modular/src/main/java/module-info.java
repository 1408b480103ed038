/** A dentrywatch user on the module path. */
module com.example.consumer {
    requires io.dentrywatch.core;
    requires io.dentrywatch.prometheus;
}
