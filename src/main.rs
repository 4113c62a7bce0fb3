fn main() {
    std::process::exit(terraform_provider_docusign::host::main_entry());
}
