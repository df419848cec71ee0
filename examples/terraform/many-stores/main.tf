# One destination per store. Adding or removing a store touches only that store's destination.
#   export UPSTACK_API_KEYS='{"<pixel id>": "upstack_...", ...}'   # one Upstack key per pixel
#   export TF_VAR_klaviyo_private_keys='{"eu": "pk_...", "us": "pk_..."}'
#   terraform apply -var-file=stores.tfvars
terraform {
  required_version = ">= 1.11"
  required_providers {
    upstack = {
      source  = "upstack/upstack"
      version = "~> 0.1"
    }
  }
}

provider "upstack" {}

variable "stores" {
  type = map(object({
    pixel_id        = string
    klaviyo_site_id = optional(string)
    label           = optional(string)
  }))
  description = "Store name → its Upstack pixel and (optionally) the Klaviyo Site ID its key must belong to."
}

variable "klaviyo_private_keys" {
  type        = map(string)
  sensitive   = true
  ephemeral   = true
  description = "Store name → the store's Klaviyo private API key (pk_...)."
}

variable "klaviyo_key_versions" {
  type        = map(number)
  default     = {}
  description = "Store name → key version; bump one store's to rotate that store's key."
}

resource "upstack_klaviyo_destination" "store" {
  for_each = var.stores

  pixel_id                   = each.value.pixel_id
  public_api_key             = each.value.klaviyo_site_id
  label                      = each.value.label
  private_api_key_wo         = var.klaviyo_private_keys[each.key]
  private_api_key_wo_version = lookup(var.klaviyo_key_versions, each.key, 1)
}

output "stores" {
  value = {
    for name, d in upstack_klaviyo_destination.store : name => {
      id     = d.id
      status = d.status
      hint   = d.key_hint
    }
  }
}
